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
///
/// A trace that is not recorded gets no `herald.plan` or `herald.store` span: its messages carry
/// the request's context as it is (its trace id and its cleared `sampled` flag are all that
/// matter downstream). Without tracing they carry the sender's `traceparent`, unchanged, when it
/// sent one.
enum IngestTracing {
    /// What a request's messages carry, and whether its plans and commit get spans.
    enum RequestTrace: Sendable {
        /// Spans under the current context (the recorded request span).
        case recorded
        /// No spans: the messages carry this context as it is.
        case passedOn(TraceParent)
    }

    /// The request being served: nil when its messages carry no trace.
    @TaskLocal static var current: RequestTrace?

    /// Runs `handle` for one ingest request inside its server span.
    static func request(_ request: Request, _ handle: () async throws -> Response) async throws -> Response {
        let sender = senderTrace(request)
        guard HeraldTracer.isEnabled, sender?.isSampled ?? true else {
            // Herald does not trace, or the sender does not record this trace: pass its context on.
            guard let sender else { return try await handle() }
            return try await $current.withValue(.passedOn(sender)) { try await handle() }
        }
        let span = startSpan("POST /v1/events", context: HeraldTracer.context(continuing: sender), ofKind: .server)
        defer { span.end() }
        guard span.isRecording else {
            // A new trace the sampler left out: its context still goes on, flagged not sampled.
            guard let trace = HeraldTracer.traceParent(of: span.context) else { return try await handle() }
            return try await $current.withValue(.passedOn(trace)) { try await handle() }
        }
        span.updateAttributes { attributes in
            attributes[TraceAttributes.httpMethod] = "POST"
            attributes[TraceAttributes.httpRoute] = "/v1/events"
            attributes[TraceAttributes.urlPath] = request.uri.path
        }
        do {
            let response = try await InstrumentationContext.$current.withValue(span.context) {
                try await $current.withValue(.recorded) { try await handle() }
            }
            span.attributes[TraceAttributes.httpStatus] = Int(response.status.code)
            return response
        } catch {
            let status = (error as? Problem)?.status ?? (error as? HTTPError).map { Int($0.status.code) } ?? 500
            span.attributes[TraceAttributes.httpStatus] = status
            // A sender's mistake (4xx) is not Herald's error.
            if status >= 500 { span.setStatus(SpanStatus(code: .error, message: (error as? Problem)?.title)) }
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
        switch current {
        case nil: return (planning(), nil)
        case .passedOn(let trace): return (planning(), trace)
        case .recorded: break
        }
        let span = startSpan("herald.plan", ofKind: .internal)
        defer { span.end() }
        let plan = planning()
        span.updateAttributes { attributes in
            attributes[TraceAttributes.eventID] = event.id
            attributes[TraceAttributes.rulesMatched] = plan.matched
            attributes[TraceAttributes.messages] = plan.messages.count
            if !plan.skipped.isEmpty { attributes[TraceAttributes.skipped] = plan.skipped.count }
        }
        return (plan, HeraldTracer.traceParent(of: span.context))
    }

    /// Commits a request's events (`commit`) inside its `herald.store` span.
    static func store<T>(events: Int, deliveries: Int, _ commit: () async throws -> T) async throws -> T {
        guard case .recorded? = current else { return try await commit() }
        let span = startSpan("herald.store", ofKind: .internal)
        defer { span.end() }
        span.updateAttributes { attributes in
            attributes[TraceAttributes.events] = events
            attributes[TraceAttributes.deliveries] = deliveries
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
