import HeraldCore
import Instrumentation
import Synchronization
import Tracing

/// Whether `herald serve` traces, and the one way between Herald's stored trace contexts
/// (``TraceParent``) and the tracer's (`InstrumentationContext`).
///
/// Off until ``TraceExporter/bootstrap(_:node:secrets:logger:)`` turns it on, once, before
/// anything is served. While it is off no span is started anywhere: every helper first checks
/// ``isEnabled`` (one relaxed atomic load) and runs the work as it is, so `herald serve` without
/// `tracing:` pays nothing for spans or their attributes (docs/tracing.md).
enum HeraldTracer {
    private static let enabled = Atomic<Bool>(false)
    private static let bootstrapped = Atomic<Bool>(false)

    static var isEnabled: Bool { enabled.load(ordering: .relaxed) }

    /// True the first time only: the process's global tracer can be bootstrapped once.
    static func claimBootstrap() -> Bool {
        !bootstrapped.exchange(true, ordering: .relaxed)
    }

    /// Called once, after the global tracer is bootstrapped.
    static func enable() {
        enabled.store(true, ordering: .relaxed)
    }

    /// A context whose span is `trace`'s: the parent of a span that continues a stored or received
    /// trace. Top level (a new trace) when `trace` is nil. Only `traceparent` and `tracestate`
    /// reach the tracer, never a request's other headers.
    static func context(continuing trace: TraceParent?) -> InstrumentationContext {
        var context = InstrumentationContext.topLevel
        guard let trace else { return context }
        var carrier = ["traceparent": trace.header]
        if let state = trace.state { carrier["tracestate"] = state }
        InstrumentationSystem.instrument.extract(carrier, into: &context, using: TraceHeaderCarrier())
        return context
    }

    /// The `traceparent` (and `tracestate`) that names `context`'s span: what a delivery stores and
    /// a webhook receives. Nil when the context has no span.
    static func traceParent(of context: InstrumentationContext) -> TraceParent? {
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &carrier, using: TraceHeaderCarrier())
        return carrier["traceparent"].flatMap { TraceParent(header: $0, state: carrier["tracestate"]) }
    }
}

/// `traceparent` and `tracestate` as a dictionary, for the tracer's propagator.
struct TraceHeaderCarrier: Injector, Extractor {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key.lowercased()] = value
    }

    func extract(key: String, from carrier: [String: String]) -> String? {
        carrier[key.lowercased()]
    }
}
