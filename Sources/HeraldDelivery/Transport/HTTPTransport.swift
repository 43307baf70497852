import HeraldCore

/// Where HTTP requests leave the process. `CurlTransport` is the real one; tests of the layers above
/// plug in an in-memory double.
///
/// A transport reports what happened on the wire and nothing more: any HTTP response, 500 and 429
/// included, is a `.success`; deciding whether it means "delivered", "retry" or "give up" is the
/// endpoint kind's job.
public protocol HTTPTransport: Sendable {
    /// Sends one request and waits for its response, within `settings`' timeouts.
    func send(_ request: HTTPRequest, settings: TransportSettings) async -> Result<HTTPResponse, TransportFailure>
}
