import Foundation
import HeraldCore
import HeraldDelivery
import HeraldStore
import Logging
import Metrics

/// What happens when a provider posts back: a status moves a delivery forward; a reply is tied to
/// the message it answers, recorded, and carried to the business by the rule's `on_reply`
/// endpoint; an opt-out word suppresses the sender.
///
/// How a reply finds its message, most certain first:
/// 1. a button's id or quick-reply payload: Herald's `ReplyReference` (button and delivery id);
/// 2. WhatsApp's `context.id`: the wamid of the message it answers;
/// 3. for SMS (no reference at all): the latest question (a delivered message of a rule with
///    `on_reply`) to that number within `replyWindow`.
public final class Conversations: Sendable {
    let outbox: Outbox
    let gateway: Gateway
    let workers: DeliveryWorkers
    let logger: Logger
    /// How long after a question an SMS reply is still taken as its answer.
    let replyWindow: Duration

    public init(outbox: Outbox, gateway: Gateway, workers: DeliveryWorkers, logger: Logger, replyWindow: Duration = .seconds(86_400)) {
        self.outbox = outbox
        self.gateway = gateway
        self.workers = workers
        self.logger = logger
        self.replyWindow = replyWindow
    }

    /// Handles what one webhook carried, from the endpoint `channel`.
    public func handle(_ items: [InboundItem], channel: String, now: Date = Date()) async throws {
        for item in items {
            switch item {
            case .status(let update): try await apply(update, now: now)
            case .message(let message): try await receive(message, channel: channel, now: now)
            }
        }
    }

    // MARK: Statuses

    func apply(_ update: StatusUpdate, now: Date) async throws {
        let error = update.errors.first
        let record = StatusRecord(providerID: update.id, status: update.status.name, at: update.timestamp ?? now, receivedAt: now,
                                  errorCode: error.map { String($0.code) }, errorMessage: error.map { $0.providerError.description })
        let outcome = try await outbox.record(status: record, deliveryID: update.deliveryID) { current, new in
            ProviderStatus.shouldApply(new: ProviderStatus(new), over: current.map(ProviderStatus.init))
        }
        let result: String = switch outcome {
        case .applied: "applied"
        case .ignored: "out_of_order"
        case .duplicate: "duplicate"
        case .unknownMessage: "unknown_message"
        }
        Counter(label: "herald_provider_statuses_total", dimensions: [("status", update.status.name), ("result", result)]).increment()
        await ConversationTracing.status(update, outcome: outcome, result: result, outbox: outbox)
        if case .applied(let deliveryID, _) = outcome {
            logger.debug("provider status", metadata: ["delivery": "\(deliveryID)", "status": "\(update.status.name)"])
            // The provider could not deliver after all: the customer may still be reached on the
            // rule's next channel (a fraud prompt by SMS when WhatsApp fails).
            if update.status == .failed || update.status == .undelivered,
               let delivery = try await outbox.delivery(id: deliveryID), delivery.channelIndex + 1 < delivery.channels.count {
                let why = "\(delivery.channels[delivery.channelIndex]): the provider reported \(update.status.name)"
                    + (error.map { ": \($0.providerError)" } ?? "")
                if try await outbox.failOver(deliveryID: deliveryID, toChannel: delivery.channelIndex + 1, reason: why, now: now) {
                    workers.wake()
                    Counter(label: "herald_failovers_total", dimensions: [("reason", "provider_status")]).increment()
                    logger.info("failing over after a failed status", metadata: ["delivery": "\(deliveryID)",
                                                                                 "to": "\(delivery.channels[delivery.channelIndex + 1])"])
                }
            }
        }
    }

    // MARK: Replies

    func receive(_ message: InboundMessage, channel: String, now: Date) async throws {
        let snapshot = gateway.snapshot
        let protection = snapshot.config.protection
        let text = message.text
        var delivery: DeliveryRecord?
        var button: String?
        var kind = "free_text"

        if let reference = message.reference {
            button = reference.button
            kind = "button"
            switch reference.delivery {
            case .id(let id): delivery = try await outbox.delivery(id: id)
            case .digest: delivery = nil
            }
        }
        if delivery == nil, let context = message.context {
            delivery = try await outbox.delivery(providerID: context)
        }
        let rulesWithReplies = Set(snapshot.ruleSet.rules.filter { $0.onReply != nil }.map(\.id))
        if delivery == nil, message.context == nil, message.reference == nil {
            delivery = try await outbox.latestQuestion(to: RecipientAddress.normalized(message.from), rules: rulesWithReplies,
                                                       since: now.addingTimeInterval(-Double(replyWindow.components.seconds)))
        }
        let plan = delivery.flatMap { try? PlannedMessage(stored: JSONParser.parse($0.message)) }
        let rule = delivery.flatMap { snapshot.ruleSet.rule(id: $0.rule) }
        let template = plan.flatMap { snapshot.ruleSet.templates[$0.template] }
        let span = ConversationTracing.startReply(to: delivery, trace: plan?.trace, channel: channel)
        let trace = ConversationTracing.replyTrace(span, message: plan?.trace)

        // An opt-out word: the sender is suppressed for every category that honours opt-outs.
        if button == nil, let text, let match = protection.optOutKeywords.keyword(matching: text, locale: plan?.recipient.locale) {
            let address = RecipientAddress.normalized(message.from)
            for category in RuleCategory.allCases {
                try await outbox.suppress(Suppression(address: address, category: category.rawValue,
                                                      reason: "replied \(match.word) on \(channel)", createdAt: now))
            }
            kind = "opt_out"
            Counter(label: "herald_opt_outs_total", dimensions: [("channel", channel)]).increment()
            logger.info("recipient opted out", metadata: ["channel": "\(channel)", "delivery": "\(delivery?.id ?? "-")"])
        } else if button == nil, let text, let template, !template.buttons.isEmpty {
            if let matched = ReplyKeywords.match(text, locale: plan?.recipient.locale ?? plan?.locale.locale, buttons: template.buttons) {
                button = matched
                kind = "keyword"
            }
        }
        if kind == "button", let button, let template, !template.buttons.contains(where: { $0.id == button }) {
            kind = "unknown_button"
        }
        if let delivery, let expires = rule?.expires, now > delivery.createdAt.addingTimeInterval(Double(expires.components.seconds)) {
            kind = "expired"
        }

        var callbackID: String?
        defer { ConversationTracing.endReply(span, kind: kind, button: button, callbackID: callbackID) }
        // Words Herald cannot place: answer the customer in their language when herald.yaml has a
        // `not_understood` text; otherwise they go to the business as free text.
        let locale = plan?.recipient.locale ?? plan?.locale.locale
        if kind == "free_text" || kind == "unknown_button", let delivery, let plan,
           let answer = protection.notUnderstood(for: locale) {
            var reply = plan.answer(answer, on: channel)
            reply.trace = trace
            _ = try await outbox.enqueue(
                NewDelivery(id: "\(delivery.id)/answer/\(message.id)", rule: delivery.rule, element: delivery.element, channels: [channel],
                            message: reply.storedJSON.compactJSONBytes, dueAt: now, priority: 0, recipient: delivery.recipient),
                eventID: delivery.eventID, now: now)
            workers.wake()
            kind = kind == "free_text" ? "not_understood" : kind
        }
        if kind != "opt_out", kind != "not_understood", let delivery, let endpoint = rule?.onReply {
            let reply = CallbackDocument.Reply(
                replyID: message.id, eventID: delivery.eventID, deliveryID: delivery.id, rule: delivery.rule, channel: channel,
                from: plan?.recipient.address ?? RecipientAddress.normalized(message.from), kind: kind, button: button, text: text,
                repliedAt: message.timestamp ?? now, receivedAt: now)
            let id = "\(delivery.id)/reply/\(message.id)"
            let added = try await outbox.enqueue(
                NewDelivery(id: id, rule: delivery.rule, element: delivery.element, channels: [endpoint],
                            message: CallbackDocument.stored(reply, trace: trace), dueAt: now, priority: 0),
                eventID: delivery.eventID, now: now)
            if added { callbackID = id }
            workers.wake()
        }
        let stored = try await outbox.record(reply: ReplyRecord(
            providerMessageID: message.id, deliveryID: delivery?.id, channel: channel, from: RecipientAddress.normalized(message.from), kind: kind,
            button: button, text: text, receivedAt: now, callbackDeliveryID: callbackID))
        if stored {
            Counter(label: "herald_replies_total", dimensions: [("channel", channel), ("kind", kind)]).increment()
            logger.info("reply", metadata: ["channel": "\(channel)", "kind": "\(kind)", "delivery": "\(delivery?.id ?? "-")",
                                            "button": "\(button ?? "-")"])
        }
    }
}
