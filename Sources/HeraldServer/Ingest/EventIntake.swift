import Foundation
import HeraldCore
import HeraldStore

/// Turns parsed events into stored promises: each event is matched and planned with the current
/// rules, then the event and its planned deliveries are committed together. Only after the commit
/// does the caller answer 202.
public struct EventIntake: Sendable {
    /// What happened to one event of a request.
    public struct Outcome: Sendable, Hashable {
        public enum Status: String, Sendable, Hashable { case accepted, duplicate, invalid }
        public var index: Int
        public var id: String?
        public var status: Status
        public var matched: [String]
        /// Deliveries planned (for a duplicate: what the first copy planned).
        public var messages: Int
        /// Matched rules that could not produce a message (no recipient address, …).
        public var skipped: [String]
        public var detail: String?
        public var pointer: String?

        public var json: JSONValue {
            var object = JSONObject()
            if let id { object["id"] = .string(id) } else { object["index"] = .number(JSONNumber(index)) }
            object["status"] = .string(status.rawValue)
            if status != .invalid {
                object["matched"] = .array(matched.map { .string($0) })
                object["messages"] = .number(JSONNumber(messages))
            }
            if !skipped.isEmpty { object["skipped"] = .array(skipped.map { .string($0) }) }
            if let detail { object["detail"] = .string(detail) }
            if let pointer { object["pointer"] = .string(pointer) }
            return .object(object)
        }
    }

    public let outbox: Outbox

    public init(outbox: Outbox) {
        self.outbox = outbox
    }

    /// Plans and stores `batch`. `idempotencyKey` applies to a request of one event.
    public func accept(_ batch: IngestBatch, planner: MessagePlanner, idempotencyKey: String?, now: Date) async throws -> [Outcome] {
        try await store(plan(batch, planner: planner, idempotencyKey: idempotencyKey, now: now), leasing: nil).outcomes
    }

    /// A batch matched and planned, ready to store.
    public struct Planned: Sendable {
        public internal(set) var batch: IngestBatch
        public internal(set) var planned: [(event: IncomingEvent, plan: EventPlan)]
        /// What the outbox stores: each event with its deliveries.
        public internal(set) var acceptances: [Acceptance]
        /// Each delivery's message by delivery id, so a worker handed a delivery at accept need
        /// not read the stored copy back.
        public internal(set) var messages: [String: PlannedMessage]

        /// How many deliveries storing it creates (at most; some may be suppressed or duplicates).
        public var deliveries: Int { acceptances.reduce(0) { $0 + $1.deliveries.count } }
    }

    /// Matches and plans every event of `batch` with the current rules; stores nothing.
    public func plan(_ batch: IngestBatch, planner: MessagePlanner, idempotencyKey: String?, now: Date) -> Planned {
        var acceptances: [Acceptance] = []
        var planned: [(event: IncomingEvent, plan: EventPlan)] = []
        var messages: [String: PlannedMessage] = [:]
        for event in batch.events {
            let (plan, trace) = IngestTracing.plan(event) { planner.plan(event.event, now: now) }
            planned.append((event, plan))
            var deliveries: [NewDelivery] = []
            for var message in plan.messages {
                message.trace = trace
                let id = Self.deliveryID(event: event.id, rule: message.rule, element: message.element)
                messages[id] = message
                deliveries.append(Self.delivery(message, id: id, now: now))
            }
            acceptances.append(Acceptance(
                event: NewEvent(id: event.id, receivedAt: now, body: event.event.compactJSONBytes, matchedRules: plan.matched,
                                idempotencyKey: batch.events.count == 1 && !batch.isBatch ? idempotencyKey : nil),
                deliveries: deliveries))
        }
        return Planned(batch: batch, planned: planned, acceptances: acceptances, messages: messages)
    }

    /// Stores what ``plan(_:planner:idempotencyKey:now:)`` planned, leasing up to `lease.limit` of
    /// the stored deliveries to the caller's workers in the same transaction
    /// (``Outbox/accept(_:leasing:)``).
    func store(_ planned: Planned, leasing lease: AcceptLease?) async throws -> (outcomes: [Outcome], leased: [ClaimedDelivery]) {
        let (batch, acceptances) = (planned.batch, planned.acceptances)
        let (results, leased) = acceptances.isEmpty ? ([], []) : try await IngestTracing.store(events: acceptances.count, deliveries: planned.deliveries) {
            try await outbox.accept(acceptances, leasing: lease)
        }
        var outcomes: [Outcome] = []
        for ((event, plan), result) in zip(planned.planned, results) {
            let skipped = plan.skipped.map { "\($0.rule)\($0.element.map { " [\($0)]" } ?? ""): \($0.reason)" }
            switch result {
            case .accepted:
                outcomes.append(Outcome(index: event.index, id: event.id, status: .accepted, matched: plan.matched,
                                        messages: plan.messages.count, skipped: skipped))
            case .duplicate(let original, _, let deliveries):
                outcomes.append(Outcome(index: event.index, id: event.id, status: .duplicate, matched: plan.matched, messages: deliveries,
                                        skipped: [], detail: original == event.id ? nil : "same Idempotency-Key as event '\(original)'"))
            }
        }
        for invalid in batch.invalid {
            outcomes.append(Outcome(index: invalid.index, id: invalid.id, status: .invalid, matched: [], messages: 0, skipped: [],
                                    detail: invalid.detail, pointer: invalid.pointer))
        }
        return (outcomes.sorted { $0.index < $1.index }, leased)
    }

    /// The outbox's copy of a planned message: the planner decided everything (``DeliveryTerms``);
    /// this only carries it over, due now.
    public static func delivery(_ message: PlannedMessage, id: String, now: Date) -> NewDelivery {
        let terms = message.delivery
        return NewDelivery(
            id: id, rule: message.rule, element: message.element, channels: message.channels,
            message: message.storedJSON.compactJSONBytes, dueAt: now, expiresAt: terms.expiresAt, priority: terms.priority.rawValue,
            recipient: message.recipient.normalizedAddress, dedupe: terms.dedupe.map { NewDelivery.Dedupe(key: $0.key, window: $0.window) },
            optOutCategory: terms.optOutCategory?.rawValue)
    }

    /// `EVENT/RULE` or `EVENT/RULE/ELEMENT`: stable, so a replay or a retry is recognisable downstream.
    public static func deliveryID(event: String, rule: String, element: Int?) -> String {
        "\(event)/\(rule)" + (element.map { "/\($0)" } ?? "")
    }
}
