import HeraldCore
import HeraldServer
import Testing

/// CloudEvents 1.0 in structured, batched and binary mode.
@Suite struct IngestCloudEventsTests {
    static let structured = "application/cloudevents+json"
    static let batched = "application/cloudevents-batch+json"

    // MARK: Structured mode

    @Test func aStructuredCloudEventIsTheObjectAsSent() throws {
        let body = """
            {"specversion": "1.0", "id": "evt-1", "source": "/cards", "type": "com.bank.card.fraud",
             "time": "2025-01-15T18:00:00.250+05:30", "subject": "card/1234", "datacontenttype": "application/json",
             "dataschema": "https://bank.example/schemas/fraud.json", "traceparent": "00-abc", "priority": 5,
             "urgent": true, "region": null, "data": {"amount": 12, "merchant": {"name": "Café"}}}
            """
        let batch = try #require(Ingest.parse(body, contentType: Self.structured).batch)
        #expect(batch == IngestBatch(
            events: [IncomingEvent(index: 0, id: "evt-1", source: "/cards", event: try Ingest.json(body), mode: .cloudEventStructured)],
            isBatch: false))
    }

    @Test func dataMayBeAnyJSONOrAbsent() throws {
        for data in [#", "data": "plain text""#, #", "data": [1, 2]"#, #", "data": null"#, ""] {
            let body = #"{"specversion": "1.0", "id": "e", "source": "/s", "type": "t""# + data + "}"
            #expect(Ingest.parse(body, contentType: Self.structured).batch?.events.first?.id == "e", "data: \(data)")
        }
    }

    struct InvalidCase: Sendable, CustomTestStringConvertible {
        /// Members after `{`, replacing the valid ones with the same names.
        var members: String
        var pointer: String
        var id: String?
        var detail: String
        var testDescription: String { members }
    }

    static let invalidCases = [
        InvalidCase(members: #""id": "e1", "source": "/s", "type": "t""#, pointer: "/specversion", id: nil,
                    detail: #"Missing 'specversion'. Herald reads CloudEvents 1.0: add "specversion": "1.0"."#),
        InvalidCase(members: #""specversion": "0.3", "id": "e1", "source": "/s", "type": "t""#, pointer: "/specversion", id: nil,
                    detail: #"'specversion' is "0.3"; Herald supports CloudEvents 1.0 only. Send "specversion": "1.0"."#),
        InvalidCase(members: #""specversion": 1.0, "id": "e1", "source": "/s", "type": "t""#, pointer: "/specversion", id: nil,
                    detail: #"'specversion' is the number 1.0; send it as the string "1.0"."#),
        InvalidCase(members: #""specversion": "1.0", "source": "/s", "type": "t""#, pointer: "/id", id: nil,
                    detail: #"Missing 'id'. Every event needs a unique string id, e.g. "id": "evt-0001"."#),
        InvalidCase(members: #""specversion": "1.0", "id": null, "source": "/s", "type": "t""#, pointer: "/id", id: nil,
                    detail: #"Missing 'id'. Every event needs a unique string id, e.g. "id": "evt-0001"."#),
        InvalidCase(members: #""specversion": "1.0", "id": 42, "source": "/s", "type": "t""#, pointer: "/id", id: nil,
                    detail: #"'id' is the number 42. Send the id as a string: "id": "42"."#),
        InvalidCase(members: #""specversion": "1.0", "id": "e1", "type": "t""#, pointer: "/source", id: "e1",
                    detail: #"Missing 'source'. Add it, e.g. "source": "/cards/authorizations"."#),
        InvalidCase(members: #""specversion": "1.0", "id": "e1", "source": "", "type": "t""#, pointer: "/source", id: "e1",
                    detail: #"'source' is empty. Send a non-empty string, e.g. "source": "/cards/authorizations"."#),
        InvalidCase(members: #""specversion": "1.0", "id": "e1", "source": "/s", "type": null"#, pointer: "/type", id: "e1",
                    detail: #"Missing 'type'. Add it, e.g. "type": "com.bank.card.fraud-suspected"."#),
        InvalidCase(members: #""specversion": "1.0", "id": "e1", "source": "/s", "Type": "t""#, pointer: "/type", id: "e1",
                    detail: "Missing 'type'. The event has 'Type'; member names are case-sensitive and Herald reads 'type'."),
        InvalidCase(members: #""specversion": "1.0", "id": "e1", "source": "/s", "type": "t", "time": "2025-13-01T00:00:00Z""#,
                    pointer: "/time", id: "e1",
                    detail: #"'time' is "2025-13-01T00:00:00Z", not an RFC 3339 timestamp. Send a date, time and offset, e.g. "2025-01-15T12:30:00Z"."#),
        InvalidCase(members: #""specversion": "1.0", "id": "e1", "source": "/s", "type": "t", "time": "2025-01-15T12:30:00""#,
                    pointer: "/time", id: "e1",
                    detail: #"'time' is "2025-01-15T12:30:00", not an RFC 3339 timestamp. Send a date, time and offset, e.g. "2025-01-15T12:30:00Z"."#),
        InvalidCase(members: #""specversion": "1.0", "id": "e1", "source": "/s", "type": "t", "time": 1736944200"#,
                    pointer: "/time", id: "e1",
                    detail: #"'time' is the number 1736944200; it must be an RFC 3339 string. Send a date, time and offset, e.g. "2025-01-15T12:30:00Z"."#),
        InvalidCase(members: #""specversion": "1.0", "id": "e1", "source": "/s", "type": "t", "data_base64": "AAEC""#,
                    pointer: "/data_base64", id: "e1",
                    detail: "'data_base64' is not supported: rules match against JSON data. Send the data as JSON in 'data'."),
        InvalidCase(members: #""specversion": "1.0", "id": "e1", "source": "/s", "type": "t", "traceParent": "00""#,
                    pointer: "/traceParent", id: "e1",
                    detail: #""traceParent" is not a valid CloudEvents attribute name: names are lowercase letters and digits only (a-z, 0-9). Rename it, or move it into 'data'."#),
        InvalidCase(members: #""specversion": "1.0", "id": "e1", "source": "/s", "type": "t", "a/b": "x""#,
                    pointer: "/a~1b", id: "e1",
                    detail: #""a/b" is not a valid CloudEvents attribute name: names are lowercase letters and digits only (a-z, 0-9). Rename it, or move it into 'data'."#),
        InvalidCase(members: #""specversion": "1.0", "id": "e1", "source": "/s", "type": "t", "meta": {"a": 1}"#,
                    pointer: "/meta", id: "e1",
                    detail: "Extension attribute 'meta' is an object; CloudEvents attributes are strings, numbers or booleans. Move structured values into 'data'."),
        InvalidCase(members: #""specversion": "1.0", "id": "e1", "source": "/s", "type": "t", "subject": """#,
                    pointer: "/subject", id: "e1",
                    detail: "'subject' is empty. Leave it out, or send a non-empty string."),
        InvalidCase(members: #""specversion": "1.0", "id": "e1", "source": "/s", "type": "t", "datacontenttype": 5"#,
                    pointer: "/datacontenttype", id: "e1",
                    detail: "'datacontenttype' is the number 5; it must be a string."),
    ]

    @Test(arguments: invalidCases)
    func aSingleInvalidCloudEventFailsTheRequest(_ example: InvalidCase) throws {
        let problem = try #require(Ingest.parse("{" + example.members + "}", contentType: Self.structured).problem)
        #expect(problem.status == 400)
        #expect(problem.slug == "invalid-event")
        #expect(problem.detail == example.detail)
        #expect(problem.extensions["pointer"] == .string(example.pointer))
        #expect(problem.extensions["id"] == example.id.map(JSONValue.string))
    }

    @Test(arguments: invalidCases)
    func anInvalidCloudEventInABatchIsReportedAtItsIndex(_ example: InvalidCase) throws {
        let valid = #"{"specversion": "1.0", "id": "ok", "source": "/s", "type": "t"}"#
        let body = "[" + valid + ", {" + example.members + "}]"
        let batch = try #require(Ingest.parse(body, contentType: Self.batched).batch)
        #expect(batch.events.map(\.id) == ["ok"])
        #expect(batch.invalid == [InvalidEvent(index: 1, id: example.id, detail: example.detail, pointer: "/1" + example.pointer)])
    }

    // MARK: Batched mode

    @Test func aBatchOfCloudEventsKeepsEachEventAndItsSource() throws {
        let body = """
            [
              {"specversion": "1.0", "id": "a", "source": "/cards", "type": "t1", "data": {"n": 1}},
              {"specversion": "1.0", "id": "a", "source": "/loans", "type": "t2"}
            ]
            """
        let batch = try #require(Ingest.parse(body, contentType: Self.batched + "; charset=utf-8").batch)
        #expect(batch == IngestBatch(
            events: [
                IncomingEvent(index: 0, id: "a", source: "/cards",
                              event: ["specversion": "1.0", "id": "a", "source": "/cards", "type": "t1", "data": ["n": 1]],
                              mode: .cloudEventBatch),
                IncomingEvent(index: 1, id: "a", source: "/loans",
                              event: ["specversion": "1.0", "id": "a", "source": "/loans", "type": "t2"], mode: .cloudEventBatch),
            ],
            isBatch: true))
    }

    @Test func aBatchElementThatIsNotAnObjectIsInvalid() throws {
        let batch = try #require(Ingest.parse(#"[42]"#, contentType: Self.batched).batch)
        #expect(batch.invalid == [InvalidEvent(
            index: 0, detail: "The element is the number 42; each CloudEvent in the batch must be a JSON object.", pointer: "/0")])
    }

    @Test func anEmptyCloudEventsBatchIsRefused() throws {
        let problem = try #require(Ingest.parse("[]", contentType: Self.batched).problem)
        #expect(problem.status == 400)
        #expect(problem.slug == "empty-batch")
        #expect(problem.detail == "The body is a CloudEvents batch with no elements. Send at least one event.")
    }

    @Test func theWrongShapeForTheModeNamesTheRightContentType() throws {
        let event = #"{"specversion": "1.0", "id": "e", "source": "/s", "type": "t"}"#
        let array = try #require(Ingest.parse("[" + event + "]", contentType: Self.structured).problem)
        #expect(array.slug == "invalid-event")
        #expect(array.detail == "The body is an array, but application/cloudevents+json carries one CloudEvent. "
            + "Send an array of CloudEvents as application/cloudevents-batch+json.")
        let object = try #require(Ingest.parse(event, contentType: Self.batched).problem)
        #expect(object.slug == "invalid-event")
        #expect(object.detail == "The body is an object, but application/cloudevents-batch+json is a JSON array of CloudEvents. "
            + "Wrap the event in [ ], or send one event as application/cloudevents+json.")
        let string = try #require(Ingest.parse(#""e""#, contentType: Self.structured).problem)
        #expect(string.detail == #"The body is the string "e"; a CloudEvent is a JSON object."#)
    }

    @Test func structuredModeIgnoresCEHeaders() throws {
        let body = #"{"specversion": "1.0", "id": "from-body", "source": "/s", "type": "t"}"#
        let batch = try #require(Ingest.parse(body, contentType: Self.structured, headers: [("ce-id", "from-header")]).batch)
        #expect(batch.events.map(\.id) == ["from-body"])
        #expect(batch.events.map(\.mode) == [.cloudEventStructured])
    }

    // MARK: Binary mode

    static let binaryHeaders: [(name: String, value: String)] = [
        ("CE-SpecVersion", "1.0"), ("ce-id", "evt-9"), ("ce-type", "com.airline.flight.delayed"), ("ce-source", "/flights"),
    ]

    @Test func aBinaryModeEventIsBuiltFromHeadersInAFixedOrder() throws {
        let headers = Self.binaryHeaders + [
            ("ce-traceparent", "00-abc"), ("Authorization", "Bearer secret"), ("ce-time", "2025-01-15T12:30:00Z"),
            ("ce-subject", "AI%20101%20%E2%86%92%20BOM"), ("ce-comment", #" "a \"quoted\" value" "#), ("ce-share", "100%"),
        ]
        let result = Ingest.parse(
            #"{"flight": "AI101", "delay_minutes": 45}"#, contentType: "application/json; charset=utf-8", headers: headers)
        let batch = try #require(result.batch)
        #expect(batch.isBatch == false)
        #expect(batch.invalid.isEmpty)
        let event = try #require(batch.events.first)
        #expect(event.id == "evt-9")
        #expect(event.source == "/flights")
        #expect(event.mode == .cloudEventBinary)
        #expect(event.index == 0)
        #expect(event.event.compactJSON
            == #"{"specversion":"1.0","id":"evt-9","source":"/flights","type":"com.airline.flight.delayed","time":"2025-01-15T12:30:00Z","subject":"AI 101 → BOM","traceparent":"00-abc","comment":"a \"quoted\" value","share":"100%","datacontenttype":"application/json; charset=utf-8","data":{"flight":"AI101","delay_minutes":45}}"#)
    }

    @Test func binaryModeAcceptsAnyJSONMediaTypeForTheData() throws {
        let batch = try #require(Ingest.parse("[1, 2]", contentType: "application/vnd.airline.delay+json", headers: Self.binaryHeaders).batch)
        #expect(batch.events.first?.event["data"] == [1, 2])
        #expect(batch.events.first?.event["datacontenttype"] == "application/vnd.airline.delay+json")
    }

    @Test func aBinaryModeEventWithoutABodyHasNoData() throws {
        let batch = try #require(Ingest.parse("", contentType: nil, headers: Self.binaryHeaders).batch)
        #expect(batch.events.first?.event.compactJSON
            == #"{"specversion":"1.0","id":"evt-9","source":"/flights","type":"com.airline.flight.delayed"}"#)
    }

    @Test func binaryModeDataMustBeJSON() throws {
        let problem = try #require(Ingest.parse("delayed", contentType: "text/plain", headers: Self.binaryHeaders).problem)
        #expect(problem.status == 415)
        #expect(problem.slug == "unsupported-media-type")
        #expect(problem.detail == "The request has CloudEvents ce-* headers, so its body is the event's data, and Herald reads data as "
            + "JSON; the Content-Type is text/plain. Send the data as JSON with Content-Type: application/json, or the whole "
            + "event as application/cloudevents+json.")
        #expect(problem.extensions["accepted"] == ["application/json", "*/*+json"])

        let missing = try #require(Ingest.parse("{}", contentType: nil, headers: Self.binaryHeaders).problem)
        #expect(missing.status == 415)
        #expect(missing.detail == "The request has CloudEvents ce-* headers and a body but no Content-Type. In binary mode the "
            + "body is the event's data, which Herald reads as JSON: send Content-Type: application/json.")
    }

    @Test func binaryModeDataErrorsPointIntoTheBody() throws {
        let problem = try #require(Ingest.parse(#"{"flight": AI101}"#, headers: Self.binaryHeaders).problem)
        #expect(problem.slug == "invalid-json")
        #expect(problem.extensions["offset"] == 11)
        #expect(problem.extensions["column"] == 12)
        let utf8 = try #require(Ingest.parse(bytes: [0x22, 0xFF, 0x22], headers: Self.binaryHeaders).problem)
        #expect(utf8.slug == "invalid-utf8")
        #expect(utf8.extensions["offset"] == 1)
    }

    static func replacing(_ name: String, with value: String?) -> [(name: String, value: String)] {
        var headers = binaryHeaders.filter { $0.name.lowercased() != name }
        if let value { headers.append((name, value)) }
        return headers
    }

    struct BinaryCase: Sendable, CustomTestStringConvertible {
        var headers: [(name: String, value: String)]
        var header: String
        var id: String?
        var detail: String
        var testDescription: String { header + ": " + detail }
    }

    @Test(arguments: [
        BinaryCase(headers: replacing("ce-specversion", with: nil), header: "ce-specversion", id: nil,
                   detail: "Missing the ce-specversion header. Herald reads CloudEvents 1.0: add ce-specversion: 1.0."),
        BinaryCase(headers: replacing("ce-specversion", with: "0.3"), header: "ce-specversion", id: nil,
                   detail: #"ce-specversion is "0.3"; Herald supports CloudEvents 1.0 only. Send ce-specversion: 1.0."#),
        BinaryCase(headers: replacing("ce-id", with: nil), header: "ce-id", id: nil,
                   detail: "Missing the ce-id header. Add it, e.g. ce-id: evt-0001."),
        BinaryCase(headers: replacing("ce-id", with: String(repeating: "x", count: 257)), header: "ce-id", id: nil,
                   detail: "ce-id is 257 bytes long; the limit is 256 bytes (UTF-8). Send a shorter id."),
        BinaryCase(headers: replacing("ce-source", with: nil), header: "ce-source", id: "evt-9",
                   detail: "Missing the ce-source header. Add it, e.g. ce-source: /cards/authorizations."),
        BinaryCase(headers: replacing("ce-type", with: "  "), header: "ce-type", id: "evt-9",
                   detail: "The ce-type header is empty. Send a non-empty value, e.g. ce-type: com.bank.card.fraud-suspected."),
        BinaryCase(headers: binaryHeaders + [("CE-ID", "evt-10")], header: "ce-id", id: nil,
                   detail: "The header ce-id appears more than once. Send each CloudEvents attribute once."),
        BinaryCase(headers: binaryHeaders + [("ce-datacontenttype", "application/json")], header: "ce-datacontenttype", id: nil,
                   detail: "Binary mode takes the data's media type from Content-Type; the CloudEvents HTTP binding forbids a "
                       + "ce-datacontenttype header as well. Remove it."),
        BinaryCase(headers: binaryHeaders + [("ce-data", "{}")], header: "ce-data", id: nil,
                   detail: "In binary mode the body is the event's data; remove the ce-data header."),
        BinaryCase(headers: binaryHeaders + [("ce-trace-id", "1")], header: "ce-trace-id", id: nil,
                   detail: "The header ce-trace-id does not name a valid CloudEvents attribute: after ce-, names are lowercase "
                       + "letters and digits only (a-z, 0-9)."),
        BinaryCase(headers: binaryHeaders + [("ce-subject", "%C0%A0")], header: "ce-subject", id: nil,
                   detail: "The header ce-subject percent-decodes to bytes that are not UTF-8. Percent-encode the value's UTF-8 bytes."),
        BinaryCase(headers: binaryHeaders + [("ce-subject", "a%0Ab")], header: "ce-subject", id: nil,
                   detail: "The header ce-subject: 'subject' contains the control character U+000A at character 2. Remove it; "
                       + "attribute values must be printable."),
        BinaryCase(headers: binaryHeaders + [("ce-time", "yesterday")], header: "ce-time", id: "evt-9",
                   detail: #"ce-time is "yesterday", not an RFC 3339 timestamp. Send a date, time and offset, e.g. ce-time: 2025-01-15T12:30:00Z."#),
        BinaryCase(headers: binaryHeaders + [("ce-subject", "")], header: "ce-subject", id: "evt-9",
                   detail: "The ce-subject header is empty. Leave it out, or send a value."),
    ])
    func anInvalidBinaryModeEventNamesItsHeader(_ example: BinaryCase) throws {
        let problem = try #require(Ingest.parse("{}", headers: example.headers).problem)
        #expect(problem.status == 400)
        #expect(problem.slug == "invalid-event")
        #expect(problem.detail == example.detail)
        #expect(problem.extensions["header"] == .string(example.header))
        #expect(problem.extensions["pointer"] == nil)
        #expect(problem.extensions["id"] == example.id.map(JSONValue.string))
    }

    @Test func anyRequiredCEHeaderSelectsBinaryMode() throws {
        // Without ce-specversion the request is still read as a CloudEvent, so the answer names
        // the missing header instead of silently treating the body as a plain event.
        let problem = try #require(Ingest.parse(#"{"id": "a"}"#, headers: [("ce-type", "t")]).problem)
        #expect(problem.extensions["header"] == "ce-specversion")
        // Other ce- headers alone leave a plain JSON event plain.
        let batch = try #require(Ingest.parse(#"{"id": "a"}"#, headers: [("ce-traceparent", "00")]).batch)
        #expect(batch.events.map(\.mode) == [.json])
    }
}
