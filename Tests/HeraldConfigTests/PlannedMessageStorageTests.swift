import HeraldCore
import Testing

/// Planned messages survive the outbox's storage form unchanged: every sample message in every locale.
@Suite struct PlannedMessageStorageTests {
    @Test(arguments: SampleEvent.byTemplate.keys.sorted(), ["en", "pt-BR", "hi-IN", "id", "ar"])
    func aStoredMessageReadsBackAsPlanned(_ template: String, _ locale: String) throws {
        let plan = try SampleGateway.planner().plan(SampleGateway.event(for: template, locale: locale), now: SampleGateway.acceptedAt)
        #expect(!plan.messages.isEmpty)
        for message in plan.messages {
            let bytes = Array(message.storedJSON.compactJSON.utf8)
            let read = try PlannedMessage(stored: JSONParser.parse(bytes))
            #expect(read.storedJSON == message.storedJSON)
            #expect(read.text == message.text && read.channels == message.channels && read.recipient == message.recipient)
            #expect(read.buttons == message.buttons && read.whatsappTemplate == message.whatsappTemplate)
            #expect(read.params == message.params && read.element == message.element)
        }
    }

    @Test(arguments: [
        (#"{"v":2}"#, "stored message: version 2 is not 1"),
        (#"{"v":1,"rule":"r"}"#, "stored message: 'recipient.address' is missing or not a string"),
        (#"{"v":1,"rule":"r","recipient":{"address":"+1"},"locale":"en","formatting_locale":"en","channels":["a",1],"template":"t","problems":[]}"#,
         "stored message: 'channels' holds a number"),
    ])
    func aDamagedRecordSaysWhatIsWrong(_ stored: String, _ expected: String) throws {
        let json = try JSONParser.parse(Array(stored.utf8))
        #expect { try PlannedMessage(stored: json) } throws: { "\($0)" == expected }
    }
}
