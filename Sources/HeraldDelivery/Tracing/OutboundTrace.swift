import HeraldCore
import Synchronization

/// One delivery attempt's part in a trace, for the requests it sends: set by `herald serve` around
/// the attempt (``current``), read where a request is built and where its answer comes back.
///
/// - ``parent`` is what the attempt's requests carry as `traceparent`: the attempt's span when
///   Herald traces, else the sender's own `traceparent`. Only requests to the business's own
///   services carry it: `webhook` endpoints, reply callbacks included (``WebhookRequestBuilder``).
///   WhatsApp's and Twilio's APIs and SMTP servers do not: a provider has no use for it, and it
///   would tell a third party how the sender's systems are traced.
/// - ``responseStatus`` is the HTTP status of the attempt's answer, for the span's attributes.
public final class OutboundTrace: Sendable {
    /// The attempt running in this task, if it is traced.
    @TaskLocal public static var current: OutboundTrace?

    public let parent: TraceParent?
    private let status = Mutex<Int?>(nil)

    public init(parent: TraceParent?) {
        self.parent = parent
    }

    /// The HTTP status of the last answer to the attempt's request, once there was one.
    public var responseStatus: Int? { status.withLock { $0 } }

    func noteResponse(status code: Int) {
        status.withLock { $0 = code }
    }
}
