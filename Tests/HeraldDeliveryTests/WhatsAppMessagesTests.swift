import Foundation
@testable import HeraldCore
import Testing

@testable import HeraldDelivery
import HeraldTestSupport

/// Interactive reply-button and template messages, and the reply references their buttons carry.
@Suite struct WhatsAppMessagesTests {
    static let builder = WhatsAppRequestBuilder(
        endpoint: Endpoint(name: "whatsapp", kind: .whatsapp, url: "https://graph.facebook.com/v23.0/106540352242922/messages",
                           token: .environment("WHATSAPP_TOKEN")),
        secrets: EndpointSecrets(token: "wa-token"))
    static let buttons = [PlannedButton(id: "confirm", title: "Sim, fui eu"), PlannedButton(id: "block", title: "Não, bloquear cartão")]

    static func message(buttons: [PlannedButton] = buttons, template: PlannedWhatsAppTemplate? = nil) -> PlannedMessage {
        var message = PlannedMessage(
            rule: "card-fraud-check", element: nil,
            recipient: ResolvedRecipient(address: "+55 11 91234-5678", locale: "pt-BR", timezone: "America/Sao_Paulo"),
            locale: LocaleNegotiation.Choice(locale: "pt-BR", fallback: nil), formattingLocale: "pt-BR",
            channels: ["whatsapp"], template: "card_fraud_check", params: [], text: "Loja X cobrou R$ 1.249,90. Foi você?",
            lengths: [], problems: [])
        message.buttons = buttons
        message.whatsappTemplate = template
        return message
    }

    @Test func buttonsMakeAnInteractiveMessageWhoseRepliesNameTheDelivery() throws {
        let request = try Self.builder.request(for: Self.message(), text: "Loja X cobrou R$ 1.249,90. Foi você?", deliveryID: "evt-9/card-fraud-check")
        let body = try JSONParser.parse(request.body)
        #expect(body["to"] == "5511912345678")
        #expect(body["type"] == "interactive")
        #expect(body["interactive"] == [
            "type": "button",
            "body": ["text": "Loja X cobrou R$ 1.249,90. Foi você?"],
            "action": ["buttons": [
                ["type": "reply", "reply": ["id": "confirm:evt-9/card-fraud-check", "title": "Sim, fui eu"]],
                ["type": "reply", "reply": ["id": "block:evt-9/card-fraud-check", "title": "Não, bloquear cartão"]],
            ]],
        ])
        #expect(body["text"] == nil)
    }

    @Test func aWhatsAppTemplateSendsItsNameLanguageBodyAndQuickReplyPayloads() throws {
        let template = PlannedWhatsAppTemplate(name: "aurora_card_fraud_check", language: "pt_BR", parameters: ["Loja X", "R$ 1.249,90", "0537"])
        let request = try Self.builder.request(for: Self.message(template: template), text: "ignored by a template", deliveryID: "evt-9/r")
        let body = try JSONParser.parse(request.body)
        #expect(body["type"] == "template")
        #expect(body["template"] == [
            "name": "aurora_card_fraud_check",
            "language": ["code": "pt_BR"],
            "components": [
                ["type": "body", "parameters": [
                    ["type": "text", "text": "Loja X"], ["type": "text", "text": "R$ 1.249,90"], ["type": "text", "text": "0537"],
                ]],
                ["type": "button", "sub_type": "quick_reply", "index": "0", "parameters": [["type": "payload", "payload": "confirm:evt-9/r"]]],
                ["type": "button", "sub_type": "quick_reply", "index": "1", "parameters": [["type": "payload", "payload": "block:evt-9/r"]]],
            ],
        ])
        #expect(!String(decoding: request.body, as: UTF8.self).contains("ignored by a template"))
    }

    @Test func aTemplateWithoutParametersOrButtonsHasNoComponents() throws {
        let template = PlannedWhatsAppTemplate(name: "hello_world", language: "en_US", parameters: [])
        let request = try Self.builder.request(for: Self.message(buttons: [], template: template), text: "Hello", deliveryID: "d")
        #expect(try JSONParser.parse(request.body)["template"] == ["name": "hello_world", "language": ["code": "en_US"]])
    }

    @Test func withoutButtonsOrTemplateItIsAPlainText() throws {
        let request = try Self.builder.request(for: Self.message(buttons: []), text: "Olá", deliveryID: "d")
        let body = try JSONParser.parse(request.body)
        #expect(body["type"] == "text")
        #expect(body["text"]?["body"] == "Olá")
    }

    @Test(arguments: ["evt-1/card-fraud-check", "evt 2/rule/3", "a:b:c", String(repeating: "e", count: 248)])
    func aReplyReferenceRoundTrips(_ deliveryID: String) throws {
        let encoded = ReplyReference.encode(button: "confirm", deliveryID: deliveryID)
        #expect(encoded.utf8.count <= ReplyReference.maximumLength)
        #expect(ReplyReference.decode(encoded) == ReplyReference(button: "confirm", delivery: .id(deliveryID)))
    }

    @Test func aDeliveryIDTooLongToCarryIsSentAsItsDigest() throws {
        let long = "evt-" + String(repeating: "7", count: 300) + "/card-fraud-check"
        let encoded = ReplyReference.encode(button: "block", deliveryID: long)
        let digest = ReplyReference.digest(of: long)
        #expect(encoded == "block:#" + digest)
        #expect(digest.count == 32 && digest != ReplyReference.digest(of: long + "x"))
        #expect(ReplyReference.decode(encoded) == ReplyReference(button: "block", delivery: .digest(digest)))
        // A delivery id that itself starts with '#' is always digested, so it is never read as one.
        #expect(ReplyReference.encode(button: "ok", deliveryID: "#1") == "ok:#" + ReplyReference.digest(of: "#1"))
    }

    @Test(arguments: ["", "confirm", ":evt-1", "confirm:", "yes please:evt-1", "ok:#123", "ok:#" + String(repeating: "g", count: 32)])
    func whatHeraldDidNotMakeIsNotAReference(_ text: String) {
        #expect(ReplyReference.decode(text) == nil)
    }

    /// Through real libcurl to a loopback Cloud API stand-in: the interactive message arrives whole.
    @Test func anInteractiveMessageIsDeliveredThroughLibcurl() async throws {
        let server = try LoopbackHTTPServer { _ in
            .respond(status: 200, body: Array(#"{"messaging_product":"whatsapp","contacts":[{"input":"5511912345678","wa_id":"5511912345678"}],"messages":[{"id":"wamid.BTN"}]}"#.utf8))
        }
        defer { server.stop() }
        let endpoint = Endpoint(name: "whatsapp", kind: .whatsapp, url: server.baseURL + "/v23.0/1/messages", token: .environment("WHATSAPP_TOKEN"),
                                delivery: DeliverySettings(maxAttempts: 1))
        let dispatcher = Dispatcher(endpoints: [endpoint], secrets: SecretStore(environment: ["WHATSAPP_TOKEN": "wa-token"]),
                                    transport: CurlTransport(), clock: SteppingClock())
        let report = await dispatcher.deliver(Self.message(), deliveryID: "evt-9/card-fraud-check", eventID: "evt-9")
        #expect(report.result == .delivered(channel: "whatsapp", providerID: "wamid.BTN"))
        let received = try JSONParser.parse(try #require(server.requests.first).body)
        #expect(received["interactive"]?["action"]?["buttons"]?[1]?["reply"] == ["id": "block:evt-9/card-fraud-check", "title": "Não, bloquear cartão"])
    }
}
