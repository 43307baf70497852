import HeraldCore
import HeraldStore
import Tracing

/// Spans for what providers post back, each in the trace of the delivery it is about (docs/tracing.md):
///
/// - `herald.provider_status`: a status (sent, delivered, read, failed) recorded for a delivery;
/// - `herald.reply`: a customer's reply tied to the message it answers. Its context is what the
///   reply's callback to the rule's `on_reply` endpoint (and the answer to a reply not understood)
///   stores and carries, so the callback's attempt lands under it.
///
/// Only deliveries stored with a recorded trace get these spans: a status or reply Herald cannot
/// tie to a traced delivery would be a lone trace of one span.
enum ConversationTracing {
    /// After `update` was recorded (`outcome`, `result` as counted in `herald_provider_statuses_total`).
    /// Reads the delivery's stored message for its trace: one read per status, only while tracing.
    static func status(_ update: StatusUpdate, outcome: StatusOutcome, result: String, outbox: any Outbox) async {
        guard HeraldTracer.isEnabled else { return }
        let deliveryID: String
        switch outcome {
        case .applied(let id, _), .ignored(let id, _), .duplicate(let id): deliveryID = id
        case .unknownMessage: return
        }
        guard let record = try? await outbox.delivery(id: deliveryID), let stored = try? JSONParser.parse(record.message),
              let trace = TraceParent(stored: stored["trace"]), trace.isSampled else { return }
        let span = startSpan("herald.provider_status", context: HeraldTracer.context(continuing: trace), ofKind: .server)
        if span.isRecording {
            span.updateAttributes { attributes in
                attributes[TraceAttributes.deliveryID] = deliveryID
                attributes[TraceAttributes.providerID] = update.id
                attributes[TraceAttributes.providerStatus] = update.status.name
                attributes[TraceAttributes.statusResult] = result
                if let error = update.errors.first { attributes[TraceAttributes.providerErrorCode] = String(error.code) }
                if let endpoint = record.deliveredChannel ?? record.currentChannel { attributes[TraceAttributes.endpoint] = endpoint }
            }
        }
        span.end()
    }

    /// Starts the `herald.reply` span of a reply to `delivery`, whose message carried `trace`; nil
    /// when Herald does not trace or the delivery has no trace. End it with ``endReply(_:kind:button:callbackID:)``.
    static func startReply(to delivery: DeliveryRecord?, trace: TraceParent?, channel: String) -> (any Span)? {
        guard HeraldTracer.isEnabled, let delivery, let trace, trace.isSampled else { return nil }
        let span = startSpan("herald.reply", context: HeraldTracer.context(continuing: trace), ofKind: .server)
        if span.isRecording {
            span.updateAttributes { attributes in
                attributes[TraceAttributes.deliveryID] = delivery.id
                attributes[TraceAttributes.eventID] = delivery.eventID
                attributes[TraceAttributes.channel] = channel
            }
        }
        return span
    }

    /// The trace a reply's callback and answer carry: the reply's span, or when there is none (no
    /// tracing, a trace not recorded) the answered message's own trace, unchanged.
    static func replyTrace(_ span: (any Span)?, message trace: TraceParent?) -> TraceParent? {
        span.flatMap { HeraldTracer.traceParent(of: $0.context) } ?? trace
    }

    static func endReply(_ span: (any Span)?, kind: String, button: String?, callbackID: String?) {
        guard let span else { return }
        if span.isRecording {
            span.updateAttributes { attributes in
                attributes[TraceAttributes.replyKind] = kind
                if let button { attributes[TraceAttributes.replyButton] = button }
                if let callbackID { attributes[TraceAttributes.callbackDeliveryID] = callbackID }
            }
        }
        span.end()
    }
}
