import HeraldCore
import HeraldServer
import Testing

/// Input meant to hurt: every one gets a problem with a 4xx status, never a crash or a hang.
@Suite struct IngestHostileInputTests {
    static let contentTypes = ["application/json", "application/cloudevents+json", "application/cloudevents-batch+json"]

    @Test func aTwoMebibyteBodyIsTooLargeBeforeAnyParsing() throws {
        // Valid JSON, so only the size check can refuse it.
        let body = Array(#"{"id": "a", "pad": ""#.utf8) + Array(repeating: UInt8(ascii: "x"), count: 2 << 20) + Array(#""}"#.utf8)
        let problem = try #require(Ingest.parse(bytes: body).problem)
        #expect(problem.status == 413)
        #expect(problem.slug == "body-too-large")
        #expect(problem.extensions["limit"] == 1_048_576)
        #expect(problem.extensions["size"] == .number(JSONNumber(body.count)))
    }

    @Test(arguments: contentTypes)
    func nestingTenThousandDeepStopsAtTheDepthLimit(_ contentType: String) throws {
        let body = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let problem = try #require(Ingest.parse(body, contentType: contentType).problem)
        #expect(problem.status == 400)
        #expect(problem.slug == "invalid-json")
        // The 129th bracket is one level past the default limit of 128.
        #expect(problem.extensions["offset"] == 128)
        #expect(problem.detail == "Line 1, column 129 (byte offset 128): nesting deeper than 128 levels.")
    }

    @Test func deepObjectsInsideAnEventStopAtTheDepthLimitToo() throws {
        let body = #"{"id": "a", "data": "# + String(repeating: #"{"a": "#, count: 10_000) + "1" + String(repeating: "}", count: 10_001)
        let problem = try #require(Ingest.parse(body).problem)
        #expect(problem.slug == "invalid-json")
        #expect(problem.detail.hasSuffix("nesting deeper than 128 levels."))
    }

    @Test func aHundredThousandDigitNumberIsRefusedAtItsStart() throws {
        let body = #"{"id": "a", "amount": "# + String(repeating: "9", count: 100_000) + "}"
        let problem = try #require(Ingest.parse(body).problem)
        #expect(problem.status == 400)
        #expect(problem.slug == "invalid-json")
        #expect(problem.extensions["offset"] == 22)
        #expect(problem.detail == "Line 1, column 23 (byte offset 22): number literal longer than 64 characters.")
    }

    @Test func aNumberPastTheRangeOfADoubleIsRefused() throws {
        let problem = try #require(Ingest.parse(#"{"id": "a", "amount": 1e999}"#).problem)
        #expect(problem.slug == "invalid-json")
        #expect(problem.detail == "Line 1, column 23 (byte offset 22): number 1e999 is outside the range of a double.")
    }

    @Test(arguments: [
        ([0xFF], 0, 1, "0xFF"),
        (Array(#"{"id": "a"#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8), 9, 10, "0xC3"),  // lead byte, no continuation
        (Array(#"{"id": ""#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8), 8, 9, "0xC0"),  // overlong "/"
        (Array(#"{"id": ""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8), 8, 9, "0xED"),  // a UTF-16 surrogate
        (Array("{\n\"id\": \"é\"".utf8) + [0xE2, 0x82], 12, 10, "0xE2"),  // cut off at the end
        (Array(#"{"id": "a"} "#.utf8) + [0x80], 12, 13, "0x80"),  // a stray continuation byte outside any string
    ] as [([UInt8], Int, Int, String)])
    func invalidUTF8IsReportedAtItsFirstByte(_ body: [UInt8], _ offset: Int, _ column: Int, _ byte: String) throws {
        let problem = try #require(Ingest.parse(bytes: body).problem)
        #expect(problem.status == 400)
        #expect(problem.slug == "invalid-utf8")
        #expect(problem.title == "The body is not valid UTF-8")
        #expect(problem.extensions["offset"] == .number(JSONNumber(offset)))
        #expect(problem.extensions["column"] == .number(JSONNumber(column)))
        #expect(problem.detail.hasPrefix("Byte \(byte) at line "))
    }

    @Test(arguments: [
        ([0x00], "Line 1, column 1 (byte offset 0): expected a JSON value, found byte 0x0."),
        (Array(#"{"id": "a"#.utf8) + [0x00] + Array(#""}"#.utf8),
         "Line 1, column 10 (byte offset 9): control character U+0000 in string; escape it as \\u0000."),
        (Array(#"{"id": "a"}"#.utf8) + [0x00], "Line 1, column 12 (byte offset 11): unexpected byte 0x0 after the JSON value."),
        (Array(repeating: 0x00, count: 4096), "Line 1, column 1 (byte offset 0): expected a JSON value, found byte 0x0."),
    ] as [([UInt8], String)])
    func nulBytesAreSyntaxErrors(_ body: [UInt8], _ detail: String) throws {
        let problem = try #require(Ingest.parse(bytes: body).problem)
        #expect(problem.status == 400)
        #expect(problem.slug == "invalid-json")
        #expect(problem.detail == detail)
    }

    @Test func anEscapedNulInAnIDIsAnInvalidEvent() throws {
        let problem = try #require(Ingest.parse(#"{"id": "\u0000"}"#).problem)
        #expect(problem.slug == "invalid-event")
        #expect(problem.detail.hasPrefix("'id' contains the control character U+0000 at character 1."))
    }

    @Test(arguments: contentTypes, ["", " ", "\r\n\t "])
    func anEmptyBodyIsItsOwnProblem(_ contentType: String, _ body: String) throws {
        let problem = try #require(Ingest.parse(body, contentType: contentType).problem)
        #expect(problem.status == 400)
        #expect(problem.slug == "empty-body")
        #expect(problem.detail == "The body holds no JSON. Send one event as a JSON object, or several as a JSON array of objects.")
    }

    @Test func aMebibyteOfTinyEventsIsRefusedByCount() throws {
        var body = "["
        body += Array(repeating: "{}", count: 300_000).joined(separator: ",")
        body += "]"
        let problem = try #require(Ingest.parse(body).problem)
        #expect(problem.status == 413)
        #expect(problem.slug == "too-many-events")
        #expect(problem.extensions["count"] == 300_000)
    }

    @Test func thousandsOfCEHeadersAreReadOnce() throws {
        let extensions = (0..<20_000).map { (name: "ce-x\($0)", value: "v") }
        let batch = try #require(Ingest.parse("{}", headers: IngestCloudEventsTests.binaryHeaders + extensions).batch)
        guard case .object(let object) = batch.events.first?.event else {
            Issue.record("expected an object")
            return
        }
        #expect(object.count == 4 + 20_000 + 2)  // required attributes, extensions, datacontenttype, data
        #expect(object.keys.last == "data")
    }

    /// Every proper prefix of a valid body is an incomplete document, so each must be a problem;
    /// and random bytes anywhere must give a 4xx answer or events, never a trap.
    @Test func truncatedAndCorruptedBodiesNeverCrash() throws {
        let body = Array(#"{"id": "é-1", "data": {"amount": -12.5e3, "tags": ["a", null, true], "note": "\u00e9\n"}}"#.utf8)
        #expect(Ingest.parse(bytes: body).batch?.events.map(\.id) == ["é-1"])
        for length in 0..<body.count {
            let problem = try #require(Ingest.parse(bytes: Array(body.prefix(length))).problem, "prefix of \(length) bytes")
            #expect(problem.status == 400, "prefix of \(length) bytes")
        }
        var generator = SeededGenerator(seed: 0x4865_7261_6C64)
        for round in 0..<2_000 {
            var corrupted = body
            for _ in 0..<(1 + Int(generator.next() % 4)) {
                corrupted[Int(generator.next() % UInt64(corrupted.count))] = UInt8(truncatingIfNeeded: generator.next())
            }
            let contentType = Self.contentTypes[round % Self.contentTypes.count]
            if let problem = Ingest.parse(bytes: corrupted, contentType: contentType).problem {
                #expect([400, 413, 415].contains(problem.status), "round \(round)")
            }
        }
    }
}

