internal import CCurl
import HeraldCore

extension TransportFailure {
    /// The failure class for a libcurl result code. `detail` is libcurl's error buffer for the
    /// transfer (it names hosts and ports, never header values); libcurl's generic text stands in
    /// when it is empty.
    init(curlCode code: CURLcode, detail: String) {
        let generic = curl_easy_strerror(code).map { String(cString: $0) } ?? "libcurl error \(code.rawValue)"
        let message = detail.isEmpty ? generic : detail
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            self = .resolve(message)
        case CURLE_COULDNT_CONNECT:
            self = .connect(message)
        case CURLE_OPERATION_TIMEDOUT:
            self = .timeout(message)
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE,
            // An HTTP/2 framing or stream error (a RST_STREAM, a GOAWAY mid-request) is a lost
            // exchange on a multiplexed connection, not a problem with the request.
            CURLE_HTTP2, CURLE_HTTP2_STREAM:
            self = .connectionLost(message)
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
            CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_PEER_FAILED_VERIFICATION,
            CURLE_USE_SSL_FAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_CACERT_BADFILE,
            CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT:
            self = .tls(message)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            self = .invalidRequest(message)
        default:
            self = .other(code: Int(code.rawValue), message: detail.isEmpty ? generic : "\(generic): \(detail)")
        }
    }

    /// An SMTP server's refusal, its reply code kept in the text ("SMTP server replied 451: …") for
    /// `SMTPClassifier`. libcurl reports these as send, login or "weird server reply" errors, which
    /// would otherwise look like a lost connection or lose the code: a 4xx answer to the message's
    /// final dot comes back as just "Weird server reply". A 5xx reply (to `MAIL FROM`, `RCPT TO`,
    /// `DATA` or `AUTH`) reads as `.invalidRequest`: sending the same envelope again will not help.
    /// A 4xx reply is temporary and stays retryable, as `.other`. nil for anything else.
    init?(smtpReply reply: Int, curlCode code: CURLcode, detail: String) {
        guard (400...599).contains(reply) else { return nil }
        switch code {
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_LOGIN_DENIED, CURLE_WEIRD_SERVER_REPLY,
            CURLE_REMOTE_ACCESS_DENIED, CURLE_QUOTE_ERROR, CURLE_UPLOAD_FAILED:
            let generic = curl_easy_strerror(code).map { String(cString: $0) } ?? "libcurl error \(code.rawValue)"
            let message = "SMTP server replied \(reply): \(detail.isEmpty ? generic : detail)"
            self = reply >= 500 ? .invalidRequest(message) : .other(code: Int(code.rawValue), message: message)
        default:
            return nil
        }
    }
}
