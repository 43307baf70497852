import Foundation
import HeraldCore
import HeraldDelivery

/// Answering by SMS: an inbound message as Twilio posts it (a form), signed
/// `X-Twilio-Signature: Base64(HMAC-SHA1(auth token, URL + each parameter's name and value, sorted by name))`.
extension SinkCustomer {
    /// An SMS has no buttons: only `--type` answers one.
    func sms(_ request: SinkRequest, received: ReceivedMessage, replyID: String) -> CustomerAnswer? {
        guard let type else { return nil }
        let sent = SinkExchange.formFields(String(decoding: request.body, as: UTF8.self))
        guard let customer = sent["To"], !customer.isEmpty else { return nil }
        var answer = CustomerAnswer(channel: .sms, customer: customer, action: .typed(type), answering: received.providerID, replyID: replyID)
        guard case .value(let token) = twilioToken else {
            if case .missing(let variable) = twilioToken { answer.problem = "not sent: \(variable) (the Twilio auth token) is not set" }
            return answer
        }
        var params: [(String, String)] = [
            ("AccountSid", Self.accountSID(path: request.path)), ("ApiVersion", "2010-04-01"), ("Body", type),
            ("From", customer), ("MessageSid", replyID), ("NumMedia", "0"), ("NumSegments", "1"),
            ("SmsMessageSid", replyID), ("SmsSid", replyID), ("SmsStatus", "received"),
        ]
        // The customer answers the number the message came from.
        if let from = sent["From"] { params.append(("To", from)) }
        if let service = sent["MessagingServiceSid"] { params.append(("MessagingServiceSid", service)) }
        let signature = Self.twilioSignature(url: twilioURL, params: params, token: token)
        answer.request = HTTPRequest(method: "POST", url: twilioURL,
                                     headers: [("Content-Type", "application/x-www-form-urlencoded"), ("X-Twilio-Signature", signature)],
                                     body: Array(Self.form(params).utf8))
        return answer
    }

    /// Twilio's signature over a POST of `params` to `url`, exactly as posted.
    static func twilioSignature(url: String, params: [(String, String)], token: String) -> String {
        // Sorted by UTF-8 bytes (code point order), as Twilio sorts its ASCII names.
        let sorted = params.sorted { a, b in a.0 != b.0 ? a.0.utf8.lexicographicallyPrecedes(b.0.utf8) : a.1.utf8.lexicographicallyPrecedes(b.1.utf8) }
        var data = Array(url.utf8)
        for (name, value) in sorted {
            data += name.utf8
            data += value.utf8
        }
        return Data(HMACSHA1.mac(key: Array(token.utf8), message: data)).base64EncodedString()
    }

    /// `application/x-www-form-urlencoded` as browsers and Twilio write it: letters, digits and
    /// `*-._` as they are, space as `+`, every other UTF-8 byte `%XX`.
    static func form(_ params: [(String, String)]) -> String {
        func encode(_ text: String) -> String {
            var out = ""
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                     UInt8(ascii: "*"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
                    out.unicodeScalars.append(Unicode.Scalar(byte))
                case UInt8(ascii: " "):
                    out += "+"
                default:
                    let hex = String(byte, radix: 16, uppercase: true)
                    out += "%" + (byte < 16 ? "0" + hex : hex)
                }
            }
            return out
        }
        return params.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }

    /// `/2010-04-01/Accounts/AC1/Messages.json` → `AC1`.
    static func accountSID(path: String) -> String {
        let parts = path.split(separator: "/")
        guard let index = parts.firstIndex(of: "Accounts"), parts.index(after: index) < parts.endIndex else { return "" }
        return String(parts[parts.index(after: index)])
    }
}
