import HeraldCore
import HeraldDelivery
import HeraldStore
import Instrumentation
import Tracing

/// The span of one delivery step (docs/tracing.md): `herald.attempt`, a client span in the trace the
/// delivery stored (its event's `herald.plan` span, or for a reply callback the `herald.reply`
/// span), so an attempt claimed from the outbox after a retry's backoff, a postponement or a
/// restart lands in the same trace as the first.
///
/// The span's context is what the attempt's webhook request carries as `traceparent`
/// (``OutboundTrace``). A delivery whose trace is not recorded (its stored `sampled` flag is
/// clear) gets no span: its stored context is passed on as it is, which is all a receiver needs
/// to leave the trace unrecorded too. So is, without tracing, the sender's own `traceparent`.
/// A delivery stored without a trace (before tracing was turned on) starts a new one.
enum DeliveryTracing {
    /// Runs `step`, one step of `delivery`, inside its `herald.attempt` span. The stored trace is
    /// `message`'s, or for a reply callback the stored document's (`stored`).
    static func attempt(_ delivery: ClaimedDelivery, message: PlannedMessage?, stored: JSONValue, snapshot: GatewaySnapshot,
                        _ step: () async -> DeliveryStep) async -> DeliveryStep {
        let trace = message != nil ? message?.trace : TraceParent(stored: stored["trace"])
        // Not traced, or a trace that is not recorded: no span, the stored context goes on as it is.
        guard HeraldTracer.isEnabled, trace?.isSampled ?? true else {
            guard let trace else { return await step() }
            return await OutboundTrace.$current.withValue(OutboundTrace(parent: trace)) { await step() }
        }
        let span = startSpan("herald.attempt", context: HeraldTracer.context(continuing: trace), ofKind: .client)
        defer { span.end() }
        let outbound = OutboundTrace(parent: HeraldTracer.traceParent(of: span.context))
        let result = await InstrumentationContext.$current.withValue(span.context) {
            await OutboundTrace.$current.withValue(outbound) { await step() }
        }
        if span.isRecording { describe(span, delivery: delivery, isCallback: message == nil, result: result, outbound: outbound, snapshot: snapshot) }
        return result
    }

    private static func describe(_ span: any Span, delivery: ClaimedDelivery, isCallback: Bool, result: DeliveryStep,
                                 outbound: OutboundTrace, snapshot: GatewaySnapshot) {
        let endpoint = result.channel ?? delivery.currentChannel
        let (outcome, error): (String, ProviderError?) = switch result.outcome {
        case .delivered?: ("delivered", nil)
        case .retryable(let error, _)?: ("retryable", error)
        case .permanent(let error)?: ("permanent", error)
        case nil: if case .wait = result.next { ("postponed", nil) } else if case .busy = result.next { ("postponed", nil) } else { ("skipped", nil) }
        }
        let next = switch result.next {
        case .delivered: "delivered"
        case .retry: "retry"
        case .nextChannel: "next_channel"
        case .dead: "dead"
        case .wait: "rate_limit"
        case .busy: "concurrency_limit"
        }
        span.updateAttributes { attributes in
            attributes[TraceAttributes.deliveryID] = delivery.id
            attributes[TraceAttributes.eventID] = delivery.eventID
            attributes[TraceAttributes.deliveryKind] = isCallback ? "callback" : "message"
            if let endpoint {
                attributes[TraceAttributes.endpoint] = endpoint
                if let kind = snapshot.config.endpoint(named: endpoint)?.kind { attributes[TraceAttributes.channelKind] = kind.rawValue }
            }
            attributes[TraceAttributes.attempt] = delivery.attemptsOnChannel + 1
            attributes[TraceAttributes.outcome] = outcome
            attributes[TraceAttributes.next] = next
            if let status = error?.status ?? outbound.responseStatus { attributes[TraceAttributes.httpStatus] = status }
            if let code = error?.code { attributes[TraceAttributes.providerErrorCode] = code }
            if case .delivered(_, let providerID?) = result.next { attributes[TraceAttributes.providerID] = providerID }
        }
        if let error {
            span.setStatus(SpanStatus(code: .error, message: LogRedaction.maskingPhoneNumbers(error.description)))
        } else if case .dead(let reason) = result.next {
            span.setStatus(SpanStatus(code: .error, message: LogRedaction.maskingPhoneNumbers(reason)))
        }
    }
}
