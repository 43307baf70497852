import Foundation

/// What `herald sink` needs from an HTTP request: nothing from the socket.
struct SinkRequest: Sendable {
    var method: String
    var path: String
    /// Header names in lower case.
    var headers: [String: String]
    var body: [UInt8]

    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// The answer to one request, and the message a customer would have received (none on a failure).
struct SinkReply: Sendable {
    var status: Int
    /// `Retry-After` seconds, sent with injected failures when asked for.
    var retryAfter: Int?
    var body: String
    var received: ReceivedMessage?
    /// Why the request was refused or failed, for stderr; nil when it was answered normally.
    var note: String?
}

/// The provider a request was addressed to, told apart by its path as the real APIs are.
enum SinkKind: String, Sendable {
    case whatsapp, sms, webhook

    init(path: String) {
        let path = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        if path.hasSuffix("/messages") {
            self = .whatsapp
        } else if path.hasPrefix("/2010-04-01/Accounts/"), path.hasSuffix("/Messages.json") {
            self = .sms
        } else {
            self = .webhook
        }
    }
}

/// Answers one request like the WhatsApp Cloud API, Twilio or a webhook receiver would.
///
/// Pure: `sequence` (the request's number, from 1) makes the provider ids, and `failure` is the
/// status decided by ``SinkFaults``, so the same inputs always give the same reply.
enum SinkExchange {
    static func answer(_ request: SinkRequest, sequence: Int, failure: Int?, retryAfter: Int?) -> SinkReply {
        guard request.method == "POST" else {
            return SinkReply(status: 405, body: #"{"error":"herald sink accepts POST only"}"#,
                             note: "\(request.method) \(request.path): 405, only POST is accepted")
        }
        let kind = SinkKind(path: request.path)
        if let status = failure {
            return SinkReply(status: status, retryAfter: retryAfter, body: errorBody(kind, status: status),
                             note: "\(kind.rawValue) \(request.path): injected HTTP \(status)")
        }
        switch kind {
        case .whatsapp: return whatsapp(request, sequence: sequence)
        case .sms: return twilio(request, sequence: sequence)
        case .webhook: return webhook(request)
        }
    }

    static func whatsapp(_ request: SinkRequest, sequence: Int) -> SinkReply {
        guard let auth = request.header("Authorization"), auth.hasPrefix("Bearer "), auth.count > 7 else {
            return SinkReply(status: 401, body: metaError(190, "Invalid OAuth access token - Cannot parse access token"),
                             note: "whatsapp \(request.path): 401, no Bearer token")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
              let to = object["to"] as? String, !to.isEmpty else {
            return SinkReply(status: 400, body: metaError(100, "(#100) Invalid parameter"),
                             note: "whatsapp \(request.path): 400, the body has no 'to'")
        }
        if let problem = WhatsAppView.problem(in: object) {
            return SinkReply(status: 400, body: metaError(131009, "(#131009) Parameter value is not valid: \(problem)"),
                             note: "whatsapp \(request.path): 400, \(problem)")
        }
        let text = WhatsAppView.text(of: object)
        let id = "wamid.\(sequence)"
        let body = json([
            "messaging_product": "whatsapp",
            "contacts": [["input": to, "wa_id": to]],
            "messages": [["id": id]],
        ])
        let shown = to.hasPrefix("+") ? to : "+" + to
        return SinkReply(status: 200, body: body,
                         received: ReceivedMessage(kind: .whatsapp, to: shown, text: text, providerID: id,
                                                   deliveryID: request.header("X-Herald-Delivery")))
    }

    static func twilio(_ request: SinkRequest, sequence: Int) -> SinkReply {
        guard let auth = request.header("Authorization"), auth.hasPrefix("Basic "), auth.count > 6 else {
            return SinkReply(status: 401, body: twilioError(20003, "Authenticate", status: 401),
                             note: "sms \(request.path): 401, no Basic credentials")
        }
        let form = formFields(String(decoding: request.body, as: UTF8.self))
        guard let to = form["To"], !to.isEmpty else {
            return SinkReply(status: 400, body: twilioError(21604, "A 'To' phone number is required.", status: 400),
                             note: "sms \(request.path): 400, the form has no 'To'")
        }
        guard form["From"] != nil || form["MessagingServiceSid"] != nil else {
            return SinkReply(status: 400, body: twilioError(21603, "A 'From' or 'MessagingServiceSid' parameter is required.", status: 400),
                             note: "sms \(request.path): 400, the form has no 'From' or 'MessagingServiceSid'")
        }
        let text = form["Body"] ?? ""
        let hex = String(sequence, radix: 16)
        let sid = "SM" + String(repeating: "0", count: max(0, 32 - hex.count)) + hex
        let body = json(["sid": sid, "status": "queued", "to": to, "from": form["From"] ?? form["MessagingServiceSid"] ?? "", "body": text])
        return SinkReply(status: 201, body: body,
                         received: ReceivedMessage(kind: .sms, to: to, text: text, providerID: sid,
                                                   deliveryID: request.header("X-Herald-Delivery")))
    }

    static func webhook(_ request: SinkRequest) -> SinkReply {
        let object = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any]
        var to = (object?["recipient"] as? [String: Any])?["address"] as? String ?? "?"
        var text = object?["text"] as? String ?? String(decoding: request.body.prefix(200), as: UTF8.self)
        // A customer's answer, carried by a rule's on_reply: who answered which message, and how.
        if object?["type"] as? String == "herald.reply", let object {
            to = object["from"] as? String ?? to
            text = replyCallback(object)
        }
        return SinkReply(status: 200, body: #"{"ok":true}"#,
                         received: ReceivedMessage(kind: .webhook, to: to, text: text, providerID: nil,
                                                   deliveryID: request.header("X-Herald-Delivery"),
                                                   path: request.path,
                                                   signed: request.header("X-Herald-Signature") != nil))
    }

    /// `reply to evt-1/card-fraud-check by whatsapp: button 'block' ("No, block my card")`.
    static func replyCallback(_ object: [String: Any]) -> String {
        let delivery = object["delivery_id"] as? String ?? "an unknown message"
        let channel = object["channel"] as? String ?? "?"
        let kind = (object["kind"] as? String ?? "reply").replacingOccurrences(of: "_", with: " ")
        var text = "reply to \(delivery) by \(channel): \(kind)"
        if let button = object["button"] as? String { text += " '\(button)'" }
        if let words = object["text"] as? String { text += " (\"\(words)\")" }
        return text
    }

    /// The provider's error body for an injected failure, with the code Herald decides on.
    static func errorBody(_ kind: SinkKind, status: Int) -> String {
        switch kind {
        case .whatsapp:
            switch status {
            case 429: return metaError(130429, "Rate limit hit")
            case 400..<500: return metaError(131026, "Message undeliverable")
            default: return metaError(131000, "Something went wrong")
            }
        case .sms:
            switch status {
            case 429: return twilioError(20429, "Too Many Requests", status: status)
            case 400..<500: return twilioError(21211, "Invalid 'To' Phone Number", status: status)
            default: return twilioError(20500, "Internal Server Error", status: status)
            }
        case .webhook:
            return json(["ok": false, "error": "injected failure (herald sink)"])
        }
    }

    static func metaError(_ code: Int, _ message: String) -> String {
        json(["error": ["message": message, "type": "OAuthException", "code": code, "fbtrace_id": "herald-sink"]])
    }

    static func twilioError(_ code: Int, _ message: String, status: Int) -> String {
        json(["code": code, "message": message, "more_info": "https://www.twilio.com/docs/errors/\(code)", "status": status])
    }

    /// `application/x-www-form-urlencoded`: `+` is a space, `%XX` a byte.
    static func formFields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            guard let name = parts.first else { continue }
            fields[decode(name)] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }

    static func json(_ object: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
