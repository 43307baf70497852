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

/// The trace context a message's deliveries continue is stored with it, and only when there is one.
@Suite struct PlannedMessageTraceStorageTests {
    static func message() throws -> PlannedMessage {
        let plan = try SampleGateway.planner().plan(SampleGateway.event(for: SampleEvent.byTemplate.keys.sorted()[0], locale: "en"),
                                                    now: SampleGateway.acceptedAt)
        return try #require(plan.messages.first)
    }

    @Test func aTraceIsStoredAndReadBack() throws {
        var message = try Self.message()
        message.trace = TraceParent(header: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", state: "k=v")
        let read = try PlannedMessage(stored: JSONParser.parse(Array(message.storedJSON.compactJSON.utf8)))
        #expect(read.trace == message.trace)
        #expect(read.answer("Sorry", on: "sms").trace == message.trace, "an answer to a reply stays in the message's trace")
    }

    @Test func withoutATraceTheStoredFormIsAsBefore() throws {
        let message = try Self.message()
        #expect(message.trace == nil)
        #expect(message.storedJSON["trace"] == nil)
    }

    @Test func anUnreadableTraceIsDroppedNotAnError() throws {
        guard case .object(var object) = try Self.message().storedJSON else {
            Issue.record("a stored message is an object")
            return
        }
        object["trace"] = ["parent": "00-nonsense"]
        #expect(try PlannedMessage(stored: .object(object)).trace == nil)
    }
}
