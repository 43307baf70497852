import Foundation
import HeraldCore
import HeraldDelivery
import HeraldStore
import Hummingbird
import Logging
import Metrics
import Prometheus
import Synchronization

/// The HTTP API of `herald serve` (documented in docs/openapi.yaml):
///
/// | Route | What |
/// |---|---|
/// | `POST /v1/events` | ingest: JSON, a JSON array, CloudEvents (structured, batch, binary) |
/// | `GET /v1/events/{id}` | the event, its matched rules and each message's delivery history |
/// | `GET /v1/deliveries?status=dead` | deliveries by status, paged with `after` |
/// | `POST /v1/deliveries/{id}/retry` | a dead delivery back to the outbox |
/// | `POST /-/reload` | reload rules and templates (refused with diagnostics when invalid) |
/// | `GET /-/healthy`, `GET /-/ready`, `GET /metrics` | operations |
///
/// `/v1/*` and `/-/reload` need `Authorization: Bearer KEY` with a key from `api_keys`.
public final class GatewayAPI: Sendable {
    public let gateway: Gateway
    public let outbox: Outbox
    public let workers: DeliveryWorkers
    public let conversations: Conversations
    public let registry: PrometheusCollectorRegistry
    /// The API keys' MACs, computed once (the keys themselves are not kept): a request's key is
    /// compared by its MAC in constant time, so timing reveals neither a key's bytes nor its length.
    private let keyDigests: [[UInt8]]
    private static let keyDigestKey: [UInt8] = [0x68]
    private let metrics = MetricHandles()
    let signingSecret: String?
    let limits: IngestLimits
    let maxPending: Int
    let logger: Logger
    /// The outbox depth, refreshed at most every 100 ms by one request at a time.
    let pendingCount = PendingCount()

    public init(gateway: Gateway, outbox: Outbox, workers: DeliveryWorkers, conversations: Conversations, registry: PrometheusCollectorRegistry,
                apiKeys: [String], signingSecret: String?, logger: Logger) {
        self.conversations = conversations
        let server = gateway.snapshot.config.server
        self.gateway = gateway
        self.outbox = outbox
        self.workers = workers
        self.registry = registry
        self.keyDigests = apiKeys.map { HMACSHA256.mac(key: Self.keyDigestKey, message: Array($0.utf8)) }
        self.signingSecret = signingSecret
        self.limits = IngestLimits(maxBodyBytes: server.maxBodyBytes, maxEvents: server.maxEventsPerRequest)
        self.maxPending = server.maxPending
        self.logger = logger
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ProblemMiddleware(logger: logger))
        addWebhookRoutes(to: router)
        addSuppressionRoutes(to: router)
        router.post("/v1/events") { request, _ in try await IngestTracing.request(request) { try await self.ingest(request) } }
        router.get("/v1/events/{id}") { request, context in
            try self.authorize(request)
            let id = Self.decoded(context.parameters.get("id") ?? "")
            guard let record = try await self.outbox.event(id: id) else {
                throw Problem("event-not-found", title: "No such event", status: 404,
                              detail: "no event with id '\(id)' is stored (it may have been pruned after its retention)")
            }
            var statuses: [String: [StatusRecord]] = [:]
            var replies: [String: [ReplyRecord]] = [:]
            for delivery in record.deliveries {
                statuses[delivery.id] = try await self.outbox.statuses(deliveryID: delivery.id)
                replies[delivery.id] = try await self.outbox.replies(deliveryID: delivery.id)
            }
            return Self.json(RecordJSON.event(record, statuses: statuses, replies: replies))
        }
        router.get("/v1/deliveries") { request, _ in
            try self.authorize(request)
            let query = request.uri.queryParameters
            var status: DeliveryStatus?
            if let text = query.get("status") {
                guard let parsed = DeliveryStatus(rawValue: text) else {
                    throw Problem("invalid-query", title: "Invalid query parameter", status: 400,
                                  detail: "status '\(text)' is not one of \(DeliveryStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                status = parsed
            }
            let limitText = query.get("limit") ?? "100"
            guard let limit = Int(limitText), (1...1000).contains(limit) else {
                throw Problem("invalid-query", title: "Invalid query parameter", status: 400,
                              detail: "limit '\(limitText)' must be a whole number from 1 to 1000")
            }
            let records = try await self.outbox.deliveries(status: status, limit: limit, after: query.get("after"))
            var object = JSONObject()
            object["deliveries"] = .array(records.map(RecordJSON.delivery))
            object["next"] = records.count == limit ? (records.last.map { .string($0.id) } ?? .null) : .null
            return Self.json(.object(object))
        }
        router.post("/v1/deliveries/{id}/retry") { request, context in
            try self.authorize(request)
            let id = Self.decoded(context.parameters.get("id") ?? "")
            guard try await self.outbox.requeue(deliveryID: id, now: Date()) else {
                throw Problem("not-dead", title: "Only a dead delivery can be retried", status: 409,
                              detail: "delivery '\(id)' is unknown or not dead; GET /v1/deliveries?status=dead lists the ones that are")
            }
            self.workers.wake()
            self.logger.info("dead delivery requeued", metadata: ["delivery": "\(id)"])
            return Self.json(["id": .string(id), "status": "pending"], status: .accepted)
        }
        router.post("/-/reload") { request, _ in
            try self.authorize(request)
            let status = await self.gateway.reload()
            ReloadMetrics.record(status)
            var object = JSONObject()
            object["successful"] = .bool(status.successful)
            object["summary"] = .string(status.summary)
            object["diagnostics"] = .array(status.diagnostics.map { .string($0.description) })
            return Self.json(.object(object), status: status.successful ? .ok : .unprocessableContent)
        }
        router.get("/-/healthy") { _, _ in Self.text("ok\n") }
        router.get("/-/ready") { _, _ in
            do {
                _ = try await self.outbox.depth(now: Date())
            } catch {
                self.logger.error("not ready: the store does not answer", metadata: ["error": "\(error)"])
                throw Problem("not-ready", title: "Herald is not ready", status: 503, detail: "the store does not answer; see the log")
            }
            return Self.text("ready\n")
        }
        router.get("/metrics") { _, _ in
            var buffer: [UInt8] = []
            self.registry.emit(into: &buffer)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        return router
    }

    // MARK: Ingest

    func ingest(_ request: Request) async throws -> Response {
        do {
            try authorize(request)
        } catch {
            Counter(label: "herald_events_rejected_total", dimensions: [("reason", "unauthorized")]).increment()
            throw error
        }
        if let pending = try await overload() {
            Counter(label: "herald_events_rejected_total", dimensions: [("reason", "outbox-full")]).increment()
            throw Problem("outbox-full", title: "Herald is behind on deliveries", status: 503,
                          detail: "\(pending) deliveries are pending, at or over the limit of \(maxPending) ('ingest.max_pending'); "
                              + "nothing was stored; send again after the Retry-After delay",
                          extensions: JSONObject(["retry_after": 1]))
        }
        let bytes: [UInt8]
        do {
            let body = try await request.body.collect(upTo: limits.maxBodyBytes)
            bytes = Array(body.readableBytesView)
        } catch {
            Counter(label: "herald_events_rejected_total", dimensions: [("reason", "body-too-large")]).increment()
            throw Problem.bodyTooLarge(limit: limits.maxBodyBytes, size: request.headers[.contentLength].flatMap { Int($0) })
        }
        if let signingSecret { try verifySignature(bytes, secret: signingSecret, request: request) }
        let headers = request.headers.map { (name: $0.name.canonicalName, value: $0.value) }
        let batch: IngestBatch
        switch IngestParser.parse(IngestRequest(contentType: request.headers[.contentType], headers: headers, body: bytes), limits: limits) {
        case .success(let parsed): batch = parsed
        case .failure(let problem):
            Counter(label: "herald_events_rejected_total", dimensions: [("reason", problem.slug)]).increment()
            throw problem
        }
        guard !batch.events.isEmpty else {
            Counter(label: "herald_events_rejected_total", dimensions: [("reason", "invalid-event")]).increment(by: batch.invalid.count)
            throw Problem("invalid-events", title: "No event in the request is valid", status: 400,
                          detail: "all \(batch.invalid.count) events are invalid; nothing was stored",
                          extensions: JSONObject(["errors": .array(batch.invalid.map(\.json))]))
        }
        let snapshot = gateway.snapshot
        // Free workers take this request's deliveries straight from the accept, leased in its
        // transaction, rather than claiming them from the outbox in another.
        let now = Date()
        let intake = EventIntake(outbox: outbox)
        let planned = intake.plan(batch, planner: snapshot.planner, idempotencyKey: Self.header(request, "idempotency-key"), now: now)
        try await admit(planned, dispatcher: snapshot.dispatcher)
        let reserved = workers.reserve(upTo: planned.deliveries)
        let outcomes: [EventIntake.Outcome]
        do {
            let lease = reserved > 0 ? AcceptLease(owner: workers.owner, until: Date().addingTimeInterval(workers.lease.inSeconds), limit: reserved) : nil
            let accepted = try await intake.store(planned, leasing: lease)
            outcomes = accepted.outcomes
            workers.handOff(accepted.leased.map { ($0, planned.messages[$0.id]) }, reserved: reserved)
            // Deliveries that found no free slot wait in the outbox for a claim (and ingest counts
            // their wait as lag); others not leased were duplicates or suppressed.
            if reserved < planned.deliveries {
                workers.spilled()
            } else if accepted.leased.count < planned.deliveries {
                workers.wake()
            }
        } catch {
            workers.handOff([], reserved: reserved)
            throw error
        }
        var accepted = 0, duplicates = 0, invalid = 0
        for outcome in outcomes {
            switch outcome.status {
            case .accepted:
                accepted += 1
                for rule in outcome.matched { metrics.counter("herald_rule_matches_total", [("rule", rule)]).increment() }
            case .duplicate: duplicates += 1
            case .invalid: invalid += 1
            }
        }
        metrics.counter("herald_events_accepted_total").increment(by: accepted)
        metrics.counter("herald_events_duplicate_total").increment(by: duplicates)
        if invalid > 0 { Counter(label: "herald_events_rejected_total", dimensions: [("reason", "invalid-event")]).increment(by: invalid) }
        logger.debug("events accepted", metadata: ["accepted": "\(accepted)", "duplicates": "\(duplicates)", "invalid": "\(invalid)"])
        var object = JSONObject()
        object["accepted"] = .number(JSONNumber(accepted))
        object["duplicates"] = .number(JSONNumber(duplicates))
        object["invalid"] = .number(JSONNumber(invalid))
        object["events"] = .array(outcomes.map(\.json))
        return Self.json(.object(object), status: .accepted)
    }

    /// Holds the request while the endpoints its deliveries go to (each message's first channel)
    /// keep deliveries waiting longer than `ingest.target_delivery_lag`, and refuses it — 503
    /// `overloaded` with Retry-After, nothing stored — past `ingest.max_delivery_lag`
    /// (``IngestAdmission``).
    private func admit(_ planned: EventIntake.Planned, dispatcher: Dispatcher) async throws {
        var endpoints: [String] = []
        for acceptance in planned.acceptances {
            for delivery in acceptance.deliveries {
                if let first = delivery.channels.first, !endpoints.contains(first) { endpoints.append(first) }
            }
        }
        guard !endpoints.isEmpty else { return }
        let (workers, targets) = (self.workers, endpoints)
        let decision = await workers.admission.admit {
            targets.reduce(workers.spillLag) { max($0, dispatcher.lag(endpoint: $1)) }
        }
        switch decision {
        case .admitted(let held):
            if held > .zero {
                metrics.counter("herald_ingest_held_total").increment()
                metrics.timer("herald_ingest_hold_duration_seconds", []).recordNanoseconds(Int64(held.inSeconds * 1e9))
            }
        case .refused(let lag):
            Counter(label: "herald_events_rejected_total", dimensions: [("reason", "overloaded")]).increment(by: planned.batch.events.count)
            let seconds = max(1, Int(lag.inSeconds.rounded(.up)))
            let milliseconds = Int(lag.inSeconds * 1000)
            throw Problem("overloaded", title: "Herald is behind on deliveries", status: 503,
                          detail: "deliveries to \(endpoints.joined(separator: ", ")) are waiting \(milliseconds) ms for their endpoint, "
                              + "longer than 'ingest.max_delivery_lag' (\(Int(workers.admission.limit.inSeconds * 1000)) ms) allows; "
                              + "nothing was stored; send again after the Retry-After delay",
                          extensions: JSONObject(["retry_after": .number(JSONNumber(seconds)), "lag_ms": .number(JSONNumber(milliseconds))]))
        }
    }

    /// The number of pending deliveries when it has reached `ingest.max_pending`, else nil.
    private func overload() async throws -> Int? {
        let now = Date()
        let pending = try await pendingCount.current(now: now) { try await outbox.depth(now: now).pending }
        guard pending >= maxPending else { return nil }
        return pending
    }

    // MARK: Auth

    func authorize(_ request: Request) throws {
        let unauthorized = { (detail: String) in
            Problem("unauthorized", title: "Missing or wrong API key", status: 401, detail: detail)
        }
        guard !keyDigests.isEmpty else {
            throw unauthorized("no API key is configured on this Herald; add 'api_keys: [env:HERALD_API_KEY]' to herald.yaml")
        }
        guard let header = request.headers[.authorization] else {
            throw unauthorized("send 'Authorization: Bearer KEY' with a key from the gateway's api_keys")
        }
        guard header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw unauthorized("the Authorization header must be 'Bearer KEY'")
        }
        let offered = Array(header.dropFirst(7).trimmingCharacters(in: .whitespaces).utf8)
        // Compare with every key in constant time, so timing reveals neither a key nor which matched.
        var matched = false
        let digest = HMACSHA256.mac(key: Self.keyDigestKey, message: offered)
        for key in keyDigests where HMACSHA256.equal(key, digest) {
            matched = true
        }
        guard matched else { throw unauthorized("the API key is not one of the gateway's api_keys") }
    }

    /// `X-Herald-Timestamp` and `X-Herald-Signature: v1=<hex>` over `TIMESTAMP.BODY`, as Herald
    /// signs its own webhooks (docs/endpoints.md): a sender proves the body is theirs and fresh.
    func verifySignature(_ body: [UInt8], secret: String, request: Request) throws {
        let timestamp = Self.header(request, "x-herald-timestamp") ?? ""
        let signature = Self.header(request, "x-herald-signature") ?? ""
        do {
            try WebhookSignature.verify(body: body, timestamp: timestamp, signature: signature, secret: secret, now: Date())
        } catch {
            Counter(label: "herald_events_rejected_total", dimensions: [("reason", "bad-signature")]).increment()
            throw Problem("bad-signature", title: "The body's signature does not verify", status: 401,
                          detail: "\(error); sign 'TIMESTAMP.BODY' with HMAC-SHA256 and the ingest signing secret, "
                              + "and send X-Herald-Timestamp and X-Herald-Signature: v1=HEX")
        }
    }

    // MARK: Responses

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        var body = value.compactJSONBytes
        body.append(UInt8(ascii: "\n"))
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func text(_ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// A header's value by its lower-case name.
    static func header(_ request: Request, _ name: String) -> String? {
        request.headers.first { $0.name.canonicalName == name }?.value
    }

    /// A path segment with its percent-escapes decoded (`evt-1%2Fcard-fraud-check`).
    static func decoded(_ segment: String) -> String {
        segment.removingPercentEncoding ?? segment
    }
}

enum ReloadMetrics {
    static func record(_ status: Gateway.ReloadStatus) {
        Gauge(label: "herald_config_last_reload_successful").record(status.successful ? 1 : 0)
        if status.successful {
            Gauge(label: "herald_config_last_reload_success_timestamp_seconds").record(status.at.timeIntervalSince1970)
        }
    }
}
