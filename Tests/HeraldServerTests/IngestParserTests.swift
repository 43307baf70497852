import HeraldCore
import HeraldServer
import Testing

/// `application/json` bodies, content types and the request-level problems.
@Suite struct IngestParserTests {
    // MARK: Accepted

    @Test func oneEventObjectIsOneEventAsSent() throws {
        let body = #"{"id": "evt-1", "type": "card.fraud", "data": {"amount": 48000.50, "tags": ["a", "b"]}}"#
        let batch = try #require(Ingest.parse(body).batch)
        #expect(batch == IngestBatch(
            events: [IncomingEvent(index: 0, id: "evt-1", event: try Ingest.json(body), mode: .json)], isBatch: false))
        // Members keep their order and numbers their literal text: rules see exactly what was sent.
        #expect(batch.events.first?.event.compactJSON == #"{"id":"evt-1","type":"card.fraud","data":{"amount":48000.50,"tags":["a","b"]}}"#)
    }

    @Test func anArrayOfEventsIsABatch() throws {
        let batch = try #require(Ingest.parse(#"[{"id": "a", "n": 1}, {"id": "b", "n": 2}]"#).batch)
        #expect(batch == IngestBatch(
            events: [
                IncomingEvent(index: 0, id: "a", event: ["id": "a", "n": 1], mode: .json),
                IncomingEvent(index: 1, id: "b", event: ["id": "b", "n": 2], mode: .json),
            ],
            isBatch: true))
        #expect(batch.count == 2)
    }

    @Test(arguments: [
        "application/json",
        "APPLICATION/JSON",
        "application/json; charset=utf-8",
        "application/json;charset=UTF-8",
        #"application/json; charset="utf-8""#,
        "application/json;",
        "  application/json ; charset=utf-8 ; version=2 ",
    ])
    func jsonContentTypesWithParametersAreAccepted(_ contentType: String) throws {
        let batch = try #require(Ingest.parse(#"{"id": "a"}"#, contentType: contentType).batch)
        #expect(batch.events.map(\.id) == ["a"])
        #expect(batch.events.map(\.mode) == [.json])
    }

    @Test func anIDAtTheLimitIsAcceptedAndItsLengthCountsUTF8Bytes() throws {
        let limits = IngestLimits(maxIDLength: 8)
        #expect(Ingest.parse(#"{"id": "12345678"}"#, limits: limits).batch?.events.first?.id == "12345678")
        // "éééé" is 4 characters but 8 bytes; one more is over.
        #expect(Ingest.parse(#"{"id": "éééé"}"#, limits: limits).batch?.events.first?.id == "éééé")
        let problem = try #require(Ingest.parse(#"{"id": "ééééé"}"#, limits: limits).problem)
        #expect(problem.detail == "'id' is 10 bytes long; the limit is 8 bytes (UTF-8). Send a shorter id.")
    }

    // MARK: Invalid events

    struct InvalidCase: Sendable, CustomTestStringConvertible {
        var body: String
        var detail: String
        var testDescription: String { body }
    }

    @Test(arguments: [
        InvalidCase(body: #"{"type": "x"}"#,
                    detail: #"Missing 'id'. Every event needs a unique string id, e.g. "id": "evt-0001"."#),
        InvalidCase(body: #"{"ID": "a"}"#,
                    detail: "Missing 'id'. The event has 'ID'; member names are case-sensitive and Herald reads 'id'."),
        InvalidCase(body: #"{"event_id": "a"}"#,
                    detail: "Missing 'id'. The event has 'event_id'; member names are case-sensitive and Herald reads 'id'."),
        InvalidCase(body: #"{"id": 12345}"#,
                    detail: #"'id' is the number 12345. Send the id as a string: "id": "12345"."#),
        InvalidCase(body: #"{"id": null}"#,
                    detail: #"'id' is null. Send the id as a string, e.g. "id": "evt-0001"."#),
        InvalidCase(body: #"{"id": true}"#,
                    detail: #"'id' is the boolean true. Send the id as a string, e.g. "id": "evt-0001"."#),
        InvalidCase(body: #"{"id": {"value": "a"}}"#,
                    detail: #"'id' is an object. Send the id as a string, e.g. "id": "evt-0001"."#),
        InvalidCase(body: #"{"id": ""}"#,
                    detail: #"'id' is empty. Send a non-empty string, e.g. "id": "evt-0001"."#),
        InvalidCase(body: #"{"id": "a\u0007b"}"#,
                    detail: "'id' contains the control character U+0007 at character 2. Remove it; attribute values must be printable."),
        InvalidCase(body: #"{"id": "ab\u0085"}"#,
                    detail: "'id' contains the control character U+0085 at character 3. Remove it; attribute values must be printable."),
        InvalidCase(body: #"{"id": "a\u0000"}"#,
                    detail: "'id' contains the control character U+0000 at character 2. Remove it; attribute values must be printable."),
        InvalidCase(body: "{\"id\": \"" + String(repeating: "é", count: 129) + "\"}",
                    detail: "'id' is 258 bytes long; the limit is 256 bytes (UTF-8). Send a shorter id."),
    ])
    func aSingleInvalidEventFailsTheRequest(_ example: InvalidCase) throws {
        let problem = try #require(Ingest.parse(example.body).problem)
        #expect(problem.status == 400)
        #expect(problem.slug == "invalid-event")
        #expect(problem.title == "The event is not valid")
        #expect(problem.detail == example.detail)
        #expect(problem.extensions["pointer"] == "/id")
        #expect(problem.extensions["id"] == nil)
    }

    @Test func aProblemDocumentForAnInvalidEventIsComplete() throws {
        let problem = try #require(Ingest.parse(#"{"id": 7}"#).problem)
        #expect(problem.json.compactJSON
            == #"{"type":"https://herald.dev/problems/invalid-event","title":"The event is not valid","status":400,"detail":"'id' is the number 7. Send the id as a string: \"id\": \"7\".","pointer":"/id"}"#)
    }

    @Test(arguments: [
        (#""hello""#, #"the string "hello""#),
        ("42", "the number 42"),
        ("null", "null"),
        ("true", "the boolean true"),
    ])
    func aBodyThatIsNeitherObjectNorArrayIsRefused(_ body: String, _ described: String) throws {
        let problem = try #require(Ingest.parse(body).problem)
        #expect(problem.status == 400)
        #expect(problem.slug == "invalid-event")
        #expect(problem.detail == "The body is \(described). Send one event as a JSON object, or several as a JSON array of objects.")
        #expect(problem.extensions["pointer"] == "")
    }

    @Test func aBatchReportsEachInvalidEventAndKeepsTheOthers() throws {
        let body = """
            [
              {"id": "a", "type": "x"},
              {"type": "y"},
              {"id": 7},
              "oops",
              {"id": "b"}
            ]
            """
        let batch = try #require(Ingest.parse(body).batch)
        #expect(batch.isBatch)
        #expect(batch.events == [
            IncomingEvent(index: 0, id: "a", event: ["id": "a", "type": "x"], mode: .json),
            IncomingEvent(index: 4, id: "b", event: ["id": "b"], mode: .json),
        ])
        #expect(batch.invalid == [
            InvalidEvent(index: 1, detail: #"Missing 'id'. Every event needs a unique string id, e.g. "id": "evt-0001"."#, pointer: "/1/id"),
            InvalidEvent(index: 2, detail: #"'id' is the number 7. Send the id as a string: "id": "7"."#, pointer: "/2/id"),
            InvalidEvent(index: 3, detail: #"The element is the string "oops"; each event in the array must be a JSON object."#, pointer: "/3"),
        ])
        #expect(batch.count == 5)
        #expect(batch.invalid.first?.json.compactJSON
            == #"{"index":1,"pointer":"/1/id","detail":"Missing 'id'. Every event needs a unique string id, e.g. \"id\": \"evt-0001\"."}"#)
    }

    @Test func aBatchWithNoValidEventIsStillABatch() throws {
        let batch = try #require(Ingest.parse(#"[{"id": 1}, []]"#).batch)
        #expect(batch.events.isEmpty)
        #expect(batch.invalid.map(\.pointer) == ["/0/id", "/1"])
        #expect(batch.invalid.map(\.index) == [0, 1])
    }

    @Test func anEmptyArrayIsAnEmptyBatch() throws {
        let problem = try #require(Ingest.parse(" [ ] ").problem)
        #expect(problem.status == 400)
        #expect(problem.slug == "empty-batch")
        #expect(problem.detail == "The body is a JSON array with no elements. Send at least one event.")
    }

    @Test func moreEventsThanTheLimitAreRefusedWhole() throws {
        let limits = IngestLimits(maxEvents: 3)
        #expect(Ingest.parse(#"[{"id":"1"},{"id":"2"},{"id":"3"}]"#, limits: limits).batch?.events.count == 3)
        let problem = try #require(Ingest.parse(#"[{"id":"1"},{"id":"2"},{"id":"3"},{"id":"4"}]"#, limits: limits).problem)
        #expect(problem.status == 413)
        #expect(problem.slug == "too-many-events")
        #expect(problem.extensions["limit"] == 3)
        #expect(problem.extensions["count"] == 4)
        #expect(problem.detail == "The request holds 4 events; the limit is 3 per request. Split it into smaller batches.")
    }

    // MARK: Request-level problems

    @Test func aBodyPastTheLimitIsTooLarge() throws {
        let limits = IngestLimits(maxBodyBytes: 16)
        #expect(Ingest.parse(#"{"id":"abcdefg"}"#, limits: limits).batch?.events.first?.id == "abcdefg")  // 16 bytes
        let problem = try #require(Ingest.parse(#"{"id":"abcdefgh"}"#, limits: limits).problem)  // 17 bytes
        #expect(problem.status == 413)
        #expect(problem.slug == "body-too-large")
        #expect(problem.extensions["limit"] == 16)
        #expect(problem.extensions["size"] == 17)
        #expect(problem.detail == "The body is 17 bytes; the limit is 16 bytes. Send fewer events per request.")
    }

    @Test func theServerCanAnswerTooLargeWithoutKnowingTheSize() {
        let problem = Problem.bodyTooLarge(limit: 1024, size: nil)
        #expect(problem.json.compactJSON
            == #"{"type":"https://herald.dev/problems/body-too-large","title":"The body is too large","status":413,"detail":"The limit is 1024 bytes. Send fewer events per request.","limit":1024}"#)
    }

    struct SyntaxCase: Sendable, CustomTestStringConvertible {
        var body: String
        var offset: Int
        var line: Int
        var column: Int
        var message: String
        var testDescription: String { message }
    }

    @Test(arguments: [
        SyntaxCase(body: #"{"id": "a",}"#, offset: 11, line: 1, column: 12,
                   message: "expected a member name in double quotes, found '}'"),
        SyntaxCase(body: "{\n  \"id\": \"a\"\n  \"amount\": 1\n}", offset: 16, line: 3, column: 3,
                   message: "expected ',' or '}' in object, found '\"'"),
        // Columns count characters: "ö" and "é" are two bytes each.
        SyntaxCase(body: #"{"name": "Jösé", x}"#, offset: 19, line: 1, column: 18,
                   message: "expected a member name in double quotes, found 'x'"),
        SyntaxCase(body: #"{"id": "a"} x"#, offset: 12, line: 1, column: 13,
                   message: "unexpected 'x' after the JSON value"),
        SyntaxCase(body: #"{"id": "abc"#, offset: 7, line: 1, column: 8, message: "unterminated string"),
        SyntaxCase(body: #"{"id": "a", "id": "b"}"#, offset: 12, line: 1, column: 13, message: #"duplicate member name "id""#),
        SyntaxCase(body: #"{"id": 'a'}"#, offset: 7, line: 1, column: 8, message: "expected a JSON value, found '''"),
    ])
    func aSyntaxErrorPointsAtItsByte(_ example: SyntaxCase) throws {
        let problem = try #require(Ingest.parse(example.body).problem)
        #expect(problem.status == 400)
        #expect(problem.slug == "invalid-json")
        #expect(problem.title == "The body is not valid JSON")
        #expect(problem.extensions["offset"] == .number(JSONNumber(example.offset)))
        #expect(problem.extensions["line"] == .number(JSONNumber(example.line)))
        #expect(problem.extensions["column"] == .number(JSONNumber(example.column)))
        #expect(problem.detail == "Line \(example.line), column \(example.column) (byte offset \(example.offset)): \(example.message).")
    }

    @Test func aSyntaxErrorProblemDocumentIsComplete() throws {
        let problem = try #require(Ingest.parse(#"{"id": "a",}"#).problem)
        #expect(problem.json.compactJSON
            == #"{"type":"https://herald.dev/problems/invalid-json","title":"The body is not valid JSON","status":400,"detail":"Line 1, column 12 (byte offset 11): expected a member name in double quotes, found '}'.","offset":11,"line":1,"column":12}"#)
    }

    static let accepted: JSONValue = ["application/json", "application/cloudevents+json", "application/cloudevents-batch+json"]

    @Test(arguments: [
        (nil, "The request has no Content-Type. Send Content-Type: application/json for an event object or an array of events, "
            + "application/cloudevents+json for one CloudEvent, or application/cloudevents-batch+json for an array of CloudEvents."),
        ("  ", "The request has no Content-Type. Send Content-Type: application/json for an event object or an array of events, "
            + "application/cloudevents+json for one CloudEvent, or application/cloudevents-batch+json for an array of CloudEvents."),
        ("text/plain", "Herald does not read text/plain bodies. Send application/json (an event object or an array of events), "
            + "application/cloudevents+json, application/cloudevents-batch+json, or a binary-mode CloudEvent (ce-* headers with JSON data)."),
        ("application/jsno", "Herald does not read application/jsno bodies. Did you mean application/json? Send application/json "
            + "(an event object or an array of events), application/cloudevents+json, application/cloudevents-batch+json, "
            + "or a binary-mode CloudEvent (ce-* headers with JSON data)."),
        ("json", #"The Content-Type "json" is not a media type of the form type/subtype. Send Content-Type: application/json."#),
        ("application/json; charset", #"The Content-Type "application/json; charset" is not a media type of the form type/subtype. Send Content-Type: application/json."#),
        ("application/json; charset=iso-8859-1", "The Content-Type names charset=iso-8859-1; Herald reads events as UTF-8 only. "
            + "Encode the body as UTF-8 and send charset=utf-8, or no charset."),
        ("application/cloudevents+json; charset=UTF-16", "The Content-Type names charset=utf-16; Herald reads events as UTF-8 only. "
            + "Encode the body as UTF-8 and send charset=utf-8, or no charset."),
    ] as [(String?, String)])
    func otherContentTypesAreUnsupported(_ contentType: String?, _ detail: String) throws {
        let problem = try #require(Ingest.parse(#"{"id": "a"}"#, contentType: contentType).problem)
        #expect(problem.status == 415)
        #expect(problem.slug == "unsupported-media-type")
        #expect(problem.title == "Unsupported content type")
        #expect(problem.detail == detail)
        #expect(problem.extensions["accepted"] == Self.accepted)
    }

    @Test func theContentTypeIsCheckedBeforeTheBody() throws {
        // A 415 is more useful than a syntax error when the sender picked the wrong format.
        let problem = try #require(Ingest.parse("<event id='a'/>", contentType: "application/xml").problem)
        #expect(problem.status == 415)
    }
}
