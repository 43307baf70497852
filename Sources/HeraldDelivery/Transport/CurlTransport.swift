internal import CCurl
import HeraldCore

/// The HTTP transport Herald delivers through: libcurl's multi interface on one dedicated thread.
///
/// - Requests are queued to that thread and their tasks suspended (never blocked) until libcurl
///   completes them, so thousands can be in flight without holding a cooperative thread each.
/// - Connections are kept alive and reused across requests to the same host (up to
///   `maxIdleConnections` cached in all), and HTTP/2 is used where a TLS endpoint offers it, with
///   concurrent requests multiplexed over one connection.
/// - TLS certificates and host names are verified unless `TransportSettings.insecure`.
/// - Redirects are not followed: a 3xx is returned as a response like any other.
/// - A response body past 1 MiB is cut there (status and headers are complete).
/// - Cancelling the sending task abandons its request (`TransportFailure.other`, code 42).
///
/// Shut it down with `shutdown()` (or the graceful `shutdown(gracePeriod:)`); dropping the last
/// reference does the same.
///
/// `@unchecked Sendable`: its only stored property is the worker, whose state is behind a `Mutex`
/// and whose libcurl handles are confined to its own thread (see `CurlWorker`).
public final class CurlTransport: HTTPTransport, @unchecked Sendable {
    private let worker: CurlWorker

    /// Starts the transport's thread. `maxIdleConnections` bounds the kept-alive connections
    /// across all endpoints; the oldest is closed when a new one would exceed it.
    public init(maxIdleConnections: Int = 64) {
        worker = CurlWorker(maxIdleConnections: maxIdleConnections)
    }

    deinit {
        worker.shutdownNow()
    }

    public func send(_ request: HTTPRequest, settings: TransportSettings) async -> Result<HTTPResponse, TransportFailure> {
        await exchange(request, settings: settings).map(\.response)
    }

    /// Fails every request in flight with `.connectionLost` and stops the thread; later requests
    /// fail the same way at once. Returns when the thread has finished.
    public func shutdown() {
        worker.shutdownNow()
    }

    /// Stops taking requests, gives those in flight up to `gracePeriod` to finish, then fails the
    /// rest with `.connectionLost` and stops the thread.
    public func shutdown(gracePeriod: Duration) async {
        await worker.shutdown(gracePeriod: gracePeriod)
    }

    /// `send`, with what libcurl knows about how it went (HTTP version, connections opened).
    func exchange(_ request: HTTPRequest, settings: TransportSettings) async -> Result<CurlTransferReport, TransportFailure> {
        let transfer = CurlTransfer(kind: .http)
        configure(transfer, for: request)
        configure(transfer, for: settings)
        return await worker.perform(transfer)
    }

    /// Sends one email through an SMTP server: `MAIL FROM`, one `RCPT TO` per recipient, then
    /// `message` (the complete MIME message, CRLF line endings) as `DATA`; libcurl escapes lines
    /// that start with a dot. A 5xx refusal from the server is `.invalidRequest`; a 4xx one and
    /// connection problems are retryable failures.
    public func sendMail(_ message: [UInt8], envelope: SMTPEnvelope, settings: TransportSettings) async -> Result<Void, TransportFailure> {
        let transfer = CurlTransfer(kind: .mail)
        configure(transfer, for: envelope)
        configure(transfer, for: settings)
        transfer.upload(message)
        return await worker.perform(transfer).map { _ in () }
    }

    // MARK: Options

    private func configure(_ transfer: CurlTransfer, for settings: TransportSettings) {
        transfer.set(CURLOPT_CONNECTTIMEOUT_MS, settings.connectTimeout.curlMilliseconds)
        transfer.set(CURLOPT_TIMEOUT_MS, settings.timeout.curlMilliseconds)
        transfer.set(CURLOPT_SSL_VERIFYPEER, settings.insecure ? 0 : 1)
        transfer.set(CURLOPT_SSL_VERIFYHOST, settings.insecure ? 0 : 2)
        // Idle pooled connections are probed, so a peer that vanished is noticed before reuse.
        transfer.set(CURLOPT_TCP_KEEPALIVE, 1)
    }

    private func configure(_ transfer: CurlTransfer, for request: HTTPRequest) {
        guard Self.isToken(request.method) else {
            transfer.reject(.invalidRequest("HTTP method '\(request.method)' is not a valid token"))
            return
        }
        guard !Self.hasLineBreakOrNUL(request.url) else {
            transfer.reject(.invalidRequest("the URL contains a line break or NUL"))
            return
        }
        // Only HTTP(S): a URL from configuration must never make Herald read files or speak other protocols.
        transfer.set(CURLOPT_PROTOCOLS_STR, string: "http,https")
        transfer.set(CURLOPT_URL, string: request.url)
        transfer.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        // Over TLS, wait for a connection that may turn out to be HTTP/2 (ALPN settles it during
        // the handshake) instead of opening a second one. Not for http://, which is never HTTP/2
        // here: libcurl would hold every other request until the first one's response arrived.
        if Self.isHTTPS(request.url) {
            transfer.set(CURLOPT_PIPEWAIT, 1)
        }
        transfer.set(CURLOPT_USERAGENT, string: "Herald")

        var lines: [String] = []
        for header in request.headers {
            guard Self.isToken(header.name) else {
                transfer.reject(.invalidRequest("header name '\(header.name)' is not a valid token"))
                return
            }
            // Never echo the value: it may be a credential.
            guard !Self.hasLineBreakOrNUL(header.value) else {
                transfer.reject(.invalidRequest("the value of header '\(header.name)' contains a line break or NUL"))
                return
            }
            // "Name;" is libcurl's spelling of a header with an empty value ("Name:" removes it).
            lines.append(header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)")
        }

        let method = request.method
        if method == "HEAD" {
            transfer.set(CURLOPT_NOBODY, 1)
        } else if method == "GET" && request.body.isEmpty {
            transfer.set(CURLOPT_HTTPGET, 1)
        } else if !request.body.isEmpty || method == "POST" || method == "PUT" || method == "PATCH" {
            transfer.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: request.body.count)
            // libcurl copies the bytes now, so the request's array need not outlive this call.
            var bytes = request.body
            if bytes.isEmpty { bytes = [0] }
            bytes.withUnsafeMutableBytes { transfer.set(CURLOPT_COPYPOSTFIELDS, pointer: $0.baseAddress) }
            if method != "POST" { transfer.set(CURLOPT_CUSTOMREQUEST, string: method) }
            // What goes on the wire is what the request says: no form content type it did not ask for.
            if request.header("Content-Type") == nil { lines.append("Content-Type:") }
        } else {
            transfer.set(CURLOPT_CUSTOMREQUEST, string: method)
        }
        // No "Expect: 100-continue" round trip before larger bodies: messaging APIs answer directly,
        // and servers that ignore it would cost a second per request.
        if request.header("Expect") == nil { lines.append("Expect:") }
        transfer.set(CURLOPT_HTTPHEADER, list: lines)
        transfer.collectResponse()
    }

    private func configure(_ transfer: CurlTransfer, for envelope: SMTPEnvelope) {
        guard !Self.hasLineBreakOrNUL(envelope.url) else {
            transfer.reject(.invalidRequest("the SMTP URL contains a line break or NUL"))
            return
        }
        guard !envelope.recipients.isEmpty else {
            transfer.reject(.invalidRequest("an email needs at least one recipient"))
            return
        }
        for address in [envelope.from] + envelope.recipients where !Self.isEnvelopeAddress(address) {
            transfer.reject(.invalidRequest("'\(address)' is not a usable envelope address"))
            return
        }
        transfer.set(CURLOPT_PROTOCOLS_STR, string: "smtp,smtps")
        transfer.set(CURLOPT_URL, string: envelope.url)
        transfer.set(CURLOPT_MAIL_FROM, string: "<\(envelope.from)>")
        transfer.set(CURLOPT_MAIL_RCPT, list: envelope.recipients.map { "<\($0)>" })
        // For smtp:// STARTTLS is then mandatory (CURLUSESSL_ALL) or used when offered (TRY).
        transfer.set(CURLOPT_USE_SSL, Int(envelope.requireTLS ? CURLUSESSL_ALL.rawValue : CURLUSESSL_TRY.rawValue))
        if let username = envelope.username { transfer.set(CURLOPT_USERNAME, string: username) }
        if let password = envelope.password { transfer.set(CURLOPT_PASSWORD, string: password) }
        // Send the SASL initial response with AUTH, saving a round trip.
        transfer.set(CURLOPT_SASL_IR, 1)
        transfer.set(CURLOPT_UPLOAD, 1)
    }

    /// Whether `url` starts with `https:`, in any case, without building a lowercased copy.
    static func isHTTPS(_ url: String) -> Bool {
        var bytes = url.utf8.makeIterator()
        for expected in "https:".utf8 {
            guard let byte = bytes.next(), byte == expected || (expected != UInt8(ascii: ":") && byte | 0x20 == expected) else { return false }
        }
        return true
    }

    /// An HTTP token (RFC 9110 §5.6.2): method and header names.
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            default:
                "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }

    /// A bare address that cannot break out of `MAIL FROM:<…>`/`RCPT TO:<…>`.
    static func isEnvelopeAddress(_ text: String) -> Bool {
        !text.isEmpty && !hasLineBreakOrNUL(text) && !text.unicodeScalars.contains { $0 == "<" || $0 == ">" || $0 == " " }
    }

    /// Checked per scalar: "\r\n" is one `Character`, equal to neither "\r" nor "\n".
    static func hasLineBreakOrNUL(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0 == "\r" || $0 == "\n" || $0 == "\0" }
    }
}
