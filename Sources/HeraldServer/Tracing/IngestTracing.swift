import HeraldCore
import HeraldStore
import Hummingbird
import Instrumentation
import Tracing

/// The spans of `POST /v1/events` (docs/tracing.md):
///
/// ```
/// POST /v1/events      server; continues the sender's traceparent
/// ├─ herald.plan       one per event of the request: match and plan; its deliveries' parent
/// └─ herald.store      the commit of the request's events and deliveries
/// ```
///
/// Each event's messages carry its `herald.plan` span's context (``PlannedMessage/trace``), stored
/// with their deliveries, so every attempt continues the event's trace however late it runs.
/// Without tracing they carry the sender's `traceparent` instead, unchanged, when it sent one.
enum IngestTracing {
    /// The sender's `traceparent` while Herald itself does not trace: what the request's messages
    /// carry, to be passed on as it came.
    @TaskLocal static var senderTrace: TraceParent?

    /// Runs `handle` for one ingest request inside its server span.
    static func request(_ request: Request, _ handle: () async throws -> Response) async throws -> Response {
        let sender = senderTrace(request)
        guard HeraldTracer.isEnabled else {
            guard let sender else { return try await handle() }
            return try await $senderTrace.withValue(sender) { try await handle() }
        }
        let span = startSpan("POST /v1/events", context: HeraldTracer.context(continuing: sender), ofKind: .server)
        defer { span.end() }
        if span.isRecording {
            span.updateAttributes { attributes in
                attributes[TraceAttributes.httpMethod] = "POST"
                attributes[TraceAttributes.httpRoute] = "/v1/events"
                attributes[TraceAttributes.urlPath] = request.uri.path
            }
        }
        do {
            let response = try await InstrumentationContext.$current.withValue(span.context) { try await handle() }
            if span.isRecording { span.attributes[TraceAttributes.httpStatus] = Int(response.status.code) }
            return response
        } catch {
            if span.isRecording {
                let status = (error as? Problem)?.status ?? (error as? HTTPError).map { Int($0.status.code) } ?? 500
                span.attributes[TraceAttributes.httpStatus] = status
                // A sender's mistake (4xx) is not Herald's error.
                if status >= 500 { span.setStatus(SpanStatus(code: .error, message: (error as? Problem)?.title)) }
            }
            throw error
        }
    }

    /// The request's valid `traceparent`, with its `tracestate`; nil when it has none (or a malformed one).
    static func senderTrace(_ request: Request) -> TraceParent? {
        var parent: String?, state: String?
        for field in request.headers {
            switch field.name.canonicalName {
            case "traceparent": parent = parent ?? field.value
            case "tracestate": state = state.map { "\($0),\(field.value)" } ?? field.value
            default: continue
            }
        }
        return parent.flatMap { TraceParent(header: $0, state: state) }
    }

    /// Matches and plans one event (`planning`) inside its `herald.plan` span; returns the plan and the
    /// trace its messages carry.
    static func plan(_ event: IncomingEvent, _ planning: () -> EventPlan) -> (plan: EventPlan, trace: TraceParent?) {
        guard HeraldTracer.isEnabled else { return (planning(), senderTrace) }
        let span = startSpan("herald.plan", ofKind: .internal)
        defer { span.end() }
        let plan = planning()
        if span.isRecording {
            span.updateAttributes { attributes in
                attributes[TraceAttributes.eventID] = event.id
                attributes[TraceAttributes.rulesMatched] = plan.matched
                attributes[TraceAttributes.messages] = plan.messages.count
                if !plan.skipped.isEmpty { attributes[TraceAttributes.skipped] = plan.skipped.count }
            }
        }
        return (plan, HeraldTracer.traceParent(of: span.context))
    }

    /// Commits a request's events (`commit`) inside its `herald.store` span.
    static func store<T>(events: Int, deliveries: Int, _ commit: () async throws -> T) async throws -> T {
        guard HeraldTracer.isEnabled else { return try await commit() }
        let span = startSpan("herald.store", ofKind: .internal)
        defer { span.end() }
        if span.isRecording {
            span.updateAttributes { attributes in
                attributes[TraceAttributes.events] = events
                attributes[TraceAttributes.deliveries] = deliveries
            }
        }
        do {
            return try await commit()
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }
}
