import Testing
@testable import HeraldCore

@Suite struct ValuePathTests {
    // MARK: - Valid forms

    static let validForms: [(String, ValuePath.Root, [ValuePath.Segment])] = [
        ("$", .event, []),
        ("@", .element, []),
        ("$.a.b", .event, [.key("a"), .key("b")]),
        ("$.a[0]", .event, [.key("a"), .index(0)]),
        ("$['odd key']", .event, [.key("odd key")]),
        (#"$["x"][-1]"#, .event, [.key("x"), .index(-1)]),
        ("@.name", .element, [.key("name")]),
        ("@[2]", .element, [.index(2)]),
        ("$._private.a1_b2", .event, [.key("_private"), .key("a1_b2")]),
        ("$.données.名前", .event, [.key("données"), .key("名前")]),
        ("$.a['b'].c", .event, [.key("a"), .key("b"), .key("c")]),
        ("$['']", .event, [.key("")]),
        (#"$['it\'s']"#, .event, [.key("it's")]),
        (#"$["say \"hi\""]"#, .event, [.key(#"say "hi""#)]),
        (#"$['a"b']"#, .event, [.key(#"a"b"#)]),
        (#"$["a'b"]"#, .event, [.key("a'b")]),
        (#"$['\u00e9\u00E9\n\t\\\/\b\f\r']"#, .event, [.key("éé\n\t\\/\u{08}\u{0C}\r")]),
        (#"$['\uD83D\uDE00']"#, .event, [.key("😀")]),
        ("$[0][-2][9007199254740991][-9007199254740991]", .event,
         [.index(0), .index(-2), .index(9_007_199_254_740_991), .index(-9_007_199_254_740_991)]),
        ("$ .a\t[0]\n.b", .event, [.key("a"), .index(0), .key("b")]),
        ("$['1'][10]", .event, [.key("1"), .index(10)]),
    ]

    @Test(arguments: validForms)
    func parsesValidForm(text: String, root: ValuePath.Root, segments: [ValuePath.Segment]) throws {
        let path = try ValuePath(parsing: text)
        #expect(path == ValuePath(root: root, segments: segments))
    }

    @Test(arguments: validForms.map(\.0))
    func descriptionRoundTrips(text: String) throws {
        let path = try ValuePath(parsing: text)
        let reparsed = try ValuePath(parsing: path.description)
        #expect(reparsed == path)
        #expect(reparsed.description == path.description)
    }

    @Test(arguments: [
        ("$", "$"),
        ("@", "@"),
        ("$.a.b", "$.a.b"),
        (#"$["x"][-1]"#, "$.x[-1]"),
        ("$['data']['odd key'][0]", "$.data['odd key'][0]"),
        ("@['name']", "@.name"),
        (#"$['it\'s']"#, #"$['it\'s']"#),
        (#"$["a\nb"]"#, #"$['a\nb']"#),
        (#"$['\u0001\u001F']"#, #"$['\u0001\u001f']"#),
        (#"$['back\\slash']"#, #"$['back\\slash']"#),
        ("$['1a']", "$['1a']"),
        ("$['']", "$['']"),
        ("$['a-b']", "$['a-b']"),
        ("$ .a [0]", "$.a[0]"),
        ("$['données']", "$.données"),
    ])
    func canonicalDescription(text: String, canonical: String) throws {
        #expect(try ValuePath(parsing: text).description == canonical)
    }

    @Test func descriptionOfBuiltPath() {
        let path = ValuePath(root: .event, segments: [.key("data"), .key("odd key"), .index(0)])
        #expect(path.description == "$.data['odd key'][0]")
    }

    // MARK: - Errors

    static let errors: [(String, Int, String)] = [
        ("", 0, "expected '$' or '@', found an empty path at character 1"),
        ("data.amount", 0, "expected '$' or '@' at the start of the path, found 'd' at character 1"),
        ("#.a", 0, "expected '$' or '@' at the start of the path, found '#'"),
        ("$data", 1, "expected '.' or '[', found 'd' at character 2"),
        ("$.", 2, "expected a member name after '.', found the end of the path at character 3"),
        ("$.data.7", 7, "expected a member name after '.', found '7' at character 8"),
        ("$.data.-x", 7, "expected a member name after '.', found '-' at character 8"),
        ("$. a", 2, "expected a member name after '.', found a space"),
        ("$..a", 2, "descendant segments ('..') are not supported"),
        ("$.*", 2, "wildcards ('.*') are not supported"),
        ("$[*]", 2, "wildcards ('[*]') are not supported"),
        ("$[:2]", 2, "slices ('[start:end]') are not supported"),
        ("$[1:2]", 3, "expected ']', found ':'"),
        ("$[?@.a]", 2, "filters ('[?…]') are not supported"),
        ("$[ 0]", 2, "unexpected space after '['"),
        ("$[", 2, "expected a quoted key or an index after '[', found the end of the path"),
        ("$[a]", 2, "expected a quoted key or an index after '[', found 'a'"),
        ("$['a'", 5, "expected ']', found the end of the path"),
        ("$['a','b']", 5, "expected ']', found ','"),
        ("$['a' ]", 5, "expected ']', found a space"),
        ("$['abc", 2, "the quoted key is not closed"),
        (#"$["abc\"#, 2, "the quoted key is not closed"),
        (#"$['a\qb']"#, 5, #"invalid escape '\q'"#),
        (#"$["a\'"]"#, 5, #"invalid escape '\''"#),
        (#"$['a\"']"#, 5, #"invalid escape '\"'"#),
        (#"$['\u12G4']"#, 7, #"expected 4 hex digits after \u, found 'G'"#),
        (#"$['\u12"#, 7, #"expected 4 hex digits after \u, found the end of the path"#),
        (#"$['\uD83D']"#, 3, #"\uD83D is the first half of a surrogate pair but no second half follows"#),
        (#"$['\uDE00']"#, 3, #"\uDE00 is the second half of a surrogate pair with no first half"#),
        (#"$['\uD83D\u0041']"#, 9, #"\u0041 cannot follow the high surrogate \uD83D"#),
        ("$['a\nb']", 4, "a line break must be escaped inside a quoted key"),
        ("$['a\u{01}']", 4, "control character U+0001 must be escaped inside a quoted key"),
        ("$[01]", 2, "index 01 has a leading zero"),
        ("$[-01]", 3, "index -01 has a leading zero"),
        ("$[-0]", 2, "-0 is not a valid index"),
        ("$[-]", 3, "expected a digit after '-', found ']'"),
        ("$[0", 3, "expected ']', found the end of the path"),
        ("$[0x]", 3, "expected ']', found 'x'"),
        ("$[9007199254740992]", 2, "index 9007199254740992 is out of range"),
        ("$[-9007199254740992]", 2, "index -9007199254740992 is out of range"),
        ("$[123456789012345678901234567890]", 2, "index 123456789012345678901234567890 is out of range"),
        ("$.a ", 3, "unexpected space at the end of the path at character 4"),
        ("$.a\n", 3, "unexpected space at the end of the path"),
        // Offsets count characters, not scalars or bytes.
        ("$['👍🏽'].1", 7, "expected a member name after '.', found '1' at character 8"),
        ("$.e\u{301}x.!", 5, "expected a member name after '.', found '!' at character 6"),
    ]

    @Test(arguments: errors)
    func reportsError(text: String, offset: Int, message: String) {
        #expect {
            _ = try ValuePath(parsing: text)
        } throws: { error in
            guard let error = error as? ValuePathError else { return false }
            #expect(error.offset == offset)
            #expect(error.message.hasPrefix(message), "\(error.message)")
            #expect(error.message.hasSuffix("at character \(offset + 1)"), "\(error.message)")
            #expect(!error.hint.isEmpty)
            return true
        }
    }

    @Test func errorsHintAtTheFix() throws {
        let shorthand = #expect(throws: ValuePathError.self) { try ValuePath(parsing: "$.data.-x") }
        #expect(shorthand?.hint == "member names start with a letter or '_'; for other keys write $['odd key']")
        let digits = #expect(throws: ValuePathError.self) { try ValuePath(parsing: "$.items.12") }
        #expect(digits?.hint.contains("write [12] for an array element or ['12']") == true)
        let comma = #expect(throws: ValuePathError.self) { try ValuePath(parsing: "$[0,1]") }
        #expect(comma?.hint.contains("one key or index") == true)
    }

    // MARK: - Resolution

    static let event: JSONValue = [
        "data": [
            "amount": 42,
            "items": [["sku": "A"], ["sku": "B"]],
            "odd key": true,
            "nested": ["x": nil],
        ],
    ]

    @Test(arguments: [
        ("$.data.amount", 42 as JSONValue),
        ("$.data.items[0].sku", "A"),
        ("$.data.items[1].sku", "B"),
        ("$.data.items[-1].sku", "B"),
        ("$.data.items[-2].sku", "A"),
        ("$.data['odd key']", true),
        (#"$["data"]["nested"].x"#, .null),
    ] as [(String, JSONValue)])
    func resolvesPresentValue(text: String, expected: JSONValue) throws {
        #expect(try ValuePath(parsing: text).resolve(event: Self.event, element: nil) == expected)
    }

    @Test(arguments: [
        "$.missing",
        "$.data.missing",
        "$.data.items[2]",
        "$.data.items[-3]",
        "$.data.amount.x",  // a member of a number
        "$.data[0]",  // an index into an object
        "$.data.items.sku",  // a member of an array
        "$.data.nested.x.y",  // a member of null
        "$['Data']",  // keys are case-sensitive
    ])
    func resolvesMissingValueToNil(text: String) throws {
        #expect(try ValuePath(parsing: text).resolve(event: Self.event, element: nil) == nil)
    }

    @Test func resolvesRoots() throws {
        let element: JSONValue = ["phone": "+15550100", "tags": ["vip", "eu"]]
        #expect(try ValuePath(parsing: "$").resolve(event: Self.event, element: element) == Self.event)
        #expect(try ValuePath(parsing: "@").resolve(event: Self.event, element: element) == element)
        #expect(try ValuePath(parsing: "@.phone").resolve(event: Self.event, element: element) == "+15550100")
        #expect(try ValuePath(parsing: "@.tags[-1]").resolve(event: Self.event, element: element) == "eu")
        #expect(try ValuePath(parsing: "@.data").resolve(event: Self.event, element: element) == nil)
        #expect(try ValuePath(parsing: "$.data.amount").resolve(event: Self.event, element: element) == 42)
    }

    @Test func elementPathWithoutElementIsNil() throws {
        #expect(try ValuePath(parsing: "@").resolve(event: Self.event, element: nil) == nil)
        #expect(try ValuePath(parsing: "@.phone").resolve(event: Self.event, element: nil) == nil)
    }

    // MARK: - Paths or literals

    @Test(arguments: [
        ("$", true), ("@", true), ("$.a", true), ("$[0]", true), ("@.name", true), ("@[0]", true),
        ("$.", true),  // looks like a path, so a typo is reported rather than sent as text
        ("", false), ("$5 off", false), ("$$", false), ("hello", false), (" $.a", false),
        ("@user", false), ("a$.b", false),
    ])
    func looksLikePath(text: String, expected: Bool) {
        #expect(ValuePath.looksLikePath(text) == expected)
    }
}
