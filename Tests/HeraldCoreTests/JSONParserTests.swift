import Testing
@testable import HeraldCore

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONParser.parse(#"{"s":"a\"b\u00e9\ud83d\ude00","n":-12.5e1,"i":300,"t":true,"f":false,"z":null,"a":[1,[]],"o":{}}"#)
        #expect(value["s"] == .string("a\"bé😀"))
        #expect(value["n"]?.numberValue == -125)
        #expect(value["i"] == 300)
        #expect(value["t"] == true)
        #expect(value["f"] == false)
        #expect(value["z"] == .null)
        #expect(value["a"] == [1, []])
        #expect(value["o"] == .object(JSONObject()))
    }

    @Test func keepsMemberOrderAndNumberLiterals() throws {
        let value = try JSONParser.parse(#"{"b":1.50,"a":2}"#)
        guard case .object(let object) = value else { Issue.record("not an object"); return }
        #expect(object.keys == ["b", "a"])
        #expect(value.compactJSON == #"{"b":1.50,"a":2}"#)
    }

    @Test func numbersCompareByValue() throws {
        #expect(try JSONParser.parse("300") == JSONParser.parse("3e2"))
        #expect(try JSONParser.parse("300") == JSONParser.parse("300.0"))
    }

    @Test(arguments: [
        ("{\"a\":1,}", 1, 8, "expected a member name"),
        ("{\"a\" 1}", 1, 6, "expected ':'"),
        ("[1,\n 2,\n x]", 3, 2, "expected a JSON value, found 'x'"),
        ("{\"a\":1,\"a\":2}", 1, 8, "duplicate member name \"a\""),
        ("01", 1, 1, "leading zeros"),
        ("1e999", 1, 1, "outside the range"),
        ("\"abc", 1, 1, "unterminated string"),
        ("\"\\ud800\"", 1, 2, "lone high surrogate"),
        ("{\"é\": tru}", 1, 7, "expected a JSON value"),
        ("", 1, 1, "found end of input"),
        ("{} {}", 1, 4, "after the JSON value"),
        ("\"a\u{01}\"", 1, 3, "control character"),
    ])
    func reportsSyntaxErrorsWithLineAndColumn(input: String, line: Int, column: Int, message: String) {
        #expect {
            _ = try JSONParser.parse(input)
        } throws: { error in
            guard let error = error as? JSONSyntaxError else { return false }
            return error.line == line && error.column == column && error.message.contains(message)
        }
    }

    @Test func refusesInvalidUTF8() {
        let bytes: [UInt8] = [0x22, 0x61, 0xC3, 0x28, 0x22]
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(bytes) }
    }

    @Test func refusesDeepNestingWithoutCrashing() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect {
            _ = try JSONParser.parse(deep)
        } throws: { error in
            (error as? JSONSyntaxError)?.message.contains("nesting deeper than 128") == true
        }
    }

    @Test func duplicateNamesAreFoundInSmallAndLargeObjects() throws {
        for size in [2, 15, 16, 17, 40] {
            let members = (0..<size).map { "\"k\($0)\":\($0)" }
            #expect(try JSONParser.parse("{" + members.joined(separator: ",") + "}")["k\(size - 1)"] == .number(JSONNumber(size - 1)))
            for repeated in [0, size / 2, size - 1] {
                let text = "{" + members.joined(separator: ",") + ",\"k\(repeated)\":0}"
                #expect(throws: JSONSyntaxError.self, "\(size) members, k\(repeated) twice") { try JSONParser.parse(text) }
            }
        }
    }

    @Test func serializationEscapesAndRoundTrips() throws {
        let value: JSONValue = ["k\"ey": "line\nbreak\u{01}", "n": 1.5, "list": [true, nil]]
        let text = value.compactJSON
        #expect(text == #"{"k\"ey":"line\nbreak\u0001","n":1.5,"list":[true,null]}"#)
        #expect(try JSONParser.parse(text) == value)
    }

    @Test func serializationEscapesEveryCharacterThatNeedsItAndCopiesTheRest() throws {
        let text = "₹48,000 at \"Café\"\\\u{1F}\t\r\u{08}\u{0C}\u{2028}x\u{2029}\u{2027}🙂"
        let serialized = JSONValue.string(text).compactJSON
        #expect(serialized == #""₹48,000 at \"Café\"\\\u001f\t\r\b\f\u2028x\u2029"# + "\u{2027}🙂\"")
        #expect(JSONValue.string(text).compactJSONBytes == Array(serialized.utf8))
        #expect(try JSONParser.parse(serialized) == .string(text))
        // A string ending in a character cut short must not read past its end.
        #expect(JSONValue.string("a\u{E2}").compactJSON == "\"a\u{E2}\"")
    }
}

@Suite struct EventReaderTests {
    @Test func readsOneObject() throws {
        let items = EventReader.read(Array("{\n  \"id\": \"a\"\n}\n".utf8))
        #expect(items.count == 1)
        #expect(try items[0].result.get()["id"] == "a")
    }

    @Test func readsAnArray() throws {
        let items = EventReader.read(Array(#"[{"id":"a"},{"id":"b"}]"#.utf8))
        #expect(items.map(\.index) == [0, 1])
        #expect(try items[1].result.get()["id"] == "b")
    }

    @Test func readsJSONLinesAndKeepsGoingPastABadLine() throws {
        let text = "{\"id\":\"a\"}\n\n{\"id\": oops}\n{\"id\":\"c\"}\n"
        let items = EventReader.read(Array(text.utf8))
        #expect(items.count == 3)
        #expect(try items[0].result.get()["id"] == "a")
        guard case .failure(let error) = items[1].result else { Issue.record("line 3 should fail"); return }
        #expect(error.line == 3)
        #expect(error.column == 8)
        #expect(try items[2].result.get()["id"] == "c")
    }

    @Test func reportsABrokenSingleDocument() {
        let items = EventReader.read(Array("{\n  \"id\": \"a\",\n}".utf8))
        guard items.count == 1, case .failure(let error) = items[0].result else { Issue.record("should fail"); return }
        #expect(error.line == 3 && error.column == 1)
    }
}
