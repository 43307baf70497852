import Foundation
import HeraldCore

/// The exact request each channel of a planned message would receive, for `herald test --json`,
/// built by the same builders delivery uses but with every secret replaced by `***` before it is
/// built — so no secret is ever read, let alone shown.
public enum RequestPreview {
    /// Resolves every reference to `***`.
    struct Placeholders: SecretResolver {
        func resolve(_ reference: SecretReference) throws(SecretError) -> String { "***" }
    }

    /// `{"channel", "method", "url", "headers": {…}, "body": JSON or text}` per channel; for e-mail
    /// `{"channel", "smtp": {"url", "from", "to"}, "message": …}`; `{"channel", "error": …}` when the
    /// request cannot be built (an invalid phone number, say).
    public static func requests(for message: PlannedMessage, endpoints: [Endpoint], deliveryID: String, eventID: String?, now: Date) -> JSONValue {
        guard let text = message.text else { return [] }
        let byName = Dictionary(endpoints.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        return .array(message.channels.map { channel in
            var entry = JSONObject()
            entry["channel"] = .string(channel)
            guard let endpoint = byName[channel] else {
                entry["error"] = .string("no endpoint named '\(channel)'")
                return .object(entry)
            }
            do {
                let secrets = try EndpointSecrets(resolving: endpoint, with: Placeholders())
                switch endpoint.kind {
                case .whatsapp:
                    describe(try WhatsAppRequestBuilder(endpoint: endpoint, secrets: secrets).request(for: message, text: text, deliveryID: deliveryID), into: &entry)
                case .twilio:
                    describe(try TwilioRequestBuilder(endpoint: endpoint, secrets: secrets)
                        .request(to: message.recipient.address, text: message.smsText ?? text, deliveryID: deliveryID), into: &entry)
                case .webhook:
                    var request = try WebhookRequestBuilder(endpoint: endpoint, secrets: secrets)
                        .request(for: message, text: text, deliveryID: deliveryID, eventID: eventID, now: now)
                    // A signature made with the placeholder would look real and be wrong.
                    request.headers = request.headers.map { $0.name.lowercased() == "x-herald-signature" ? ($0.name, "v1=*** (computed when sent)") : $0 }
                    describe(request, into: &entry)
                case .smtp:
                    let mail = try SMTPMessageBuilder(endpoint: endpoint, secrets: secrets)
                        .message(to: message.recipient.address, subject: Dispatcher.subject(of: text), text: text, deliveryID: deliveryID, date: now)
                    entry["smtp"] = ["url": .string(mail.envelope.url), "from": .string(mail.envelope.from), "to": .array(mail.envelope.recipients.map { .string($0) })]
                    entry["message"] = .string(String(decoding: mail.data, as: UTF8.self))
                }
            } catch let error as RequestBuildError {
                entry["error"] = .string(error.description)
            } catch {
                entry["error"] = .string("\(error)")
            }
            return .object(entry)
        })
    }

    private static func describe(_ request: HTTPRequest, into entry: inout JSONObject) {
        let shown = request.redacted(hiding: ["***"])
        entry["method"] = .string(shown.method)
        entry["url"] = .string(shown.url)
        entry["headers"] = .object(JSONObject(shown.headers.map { JSONObject.Member(key: $0.name, value: .string($0.value)) }))
        if let json = try? JSONParser.parse(shown.body) {
            entry["body"] = json
        } else {
            entry["body"] = .string(String(decoding: shown.body, as: UTF8.self))
        }
    }
}
