import Foundation
import HeraldCore
import Testing

@testable import HeraldConfig

// MARK: - Helpers

private func parse(_ text: String, limits: YAMLLimits = .default) throws -> YAMLNode {
    try #require(try YAMLParser.parse(text, limits: limits))
}

private func json(_ text: String) throws -> JSONValue {
    try parse(text).toJSON()
}

private func parseError(_ bytes: [UInt8], limits: YAMLLimits = .default) -> YAMLError? {
    do {
        _ = try YAMLParser.parse(bytes, limits: limits)
        return nil
    } catch {
        return error
    }
}

private func parseError(_ text: String, limits: YAMLLimits = .default) -> YAMLError? {
    parseError(Array(text.utf8), limits: limits)
}

private func pointer(_ components: JSONPointer.Component...) -> JSONPointer {
    JSONPointer(components)
}

private func mark(_ line: Int, _ column: Int) -> SourceMark {
    SourceMark(line: line, column: column)
}

private enum Fixture {
    static var yamlDirectory: URL? {
        Bundle.module.url(forResource: "yaml", withExtension: nil, subdirectory: "Fixtures")
    }

    static func bytes(_ relativePath: String) throws -> [UInt8] {
        let directory = try #require(yamlDirectory)
        return Array(try Data(contentsOf: directory.appending(path: relativePath)))
    }

    /// `Fixtures/yaml/errors/*.yaml`: each file's first line is `# expect: <error description>`.
    static let errorFiles: [String] = {
        guard let directory = yamlDirectory?.appending(path: "errors"),
            let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        else { return [] }
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }()
}

// MARK: - Scalars

@Suite("YAML scalar resolution")
struct YAMLScalarResolutionTests {
    static let cases: [(String, JSONValue)] = [
        // null
        ("~", nil), ("null", nil), ("Null", nil), ("NULL", nil), ("", nil),
        // bool: only the core schema's six spellings
        ("true", true), ("True", true), ("TRUE", true), ("false", false), ("False", false), ("FALSE", false),
        ("yes", "yes"), ("no", "no"), ("on", "on"), ("off", "off"), ("NO", "NO"), ("y", "y"), ("tRUE", "tRUE"),
        ("nULL", "nULL"),
        // int
        ("42", 42), ("-17", -17), ("+5", 5), ("0", 0), ("007", 7), ("0x1F", 31), ("0xff", 255), ("0o17", 15),
        ("+4917612345678", 4_917_612_345_678),
        // float
        ("1.5", 1.5), ("-0.5e3", -500), (".5", 0.5), ("1e3", 1000), ("1.", 1), ("+1.25E-2", 0.0125),
        // non-finite floats stay strings (JSON has no infinity or NaN)
        (".inf", ".inf"), ("-.Inf", "-.Inf"), ("+.INF", "+.INF"), (".NaN", ".NaN"),
        // strings that look a bit like numbers
        ("1_000", "1_000"), ("0x", "0x"), ("0o8", "0o8"), ("0X1F", "0X1F"), ("1e", "1e"), ("12:30", "12:30"),
        ("1.2.3", "1.2.3"), ("-0x1", "-0x1"), ("0b101", "0b101"),
        // quoted scalars are strings
        ("\"12\"", "12"), ("'true'", "true"), ("'~'", "~"), ("\"\"", ""), ("\"null\"", "null"),
        // explicit tags
        ("!!str 12", "12"), ("!!str true", "true"), ("!!str", ""), ("! 12", "12"), ("!!int \"12\"", 12),
        ("!!int 0x10", 16), ("!!float 1", 1), ("!!float '2.5'", 2.5), ("!!bool 'TRUE'", true),
        ("!!null ''", nil), ("!!null ~", nil), ("!<tag:yaml.org,2002:int> '3'", 3),
    ]

    @Test(arguments: cases)
    func resolves(_ text: String, expected: JSONValue) throws {
        let value = try json("v: \(text)\n")["v"]
        #expect(value == expected, "v: \(text)")
        #expect(value?.typeName == expected.typeName, "v: \(text)")
    }

    @Test(arguments: [
        ("42", "42"), ("-0.5", "-0.5"), ("1e3", "1e3"), ("0x1F", "31"), ("0o17", "15"), ("+5", "5"), (".5", "0.5"),
        ("007", "7"), ("12345678901234567890", "12345678901234567890"),
    ])
    func numberLiteralIsValidJSON(_ text: String, literal: String) throws {
        guard case .number(let number)? = try json("v: \(text)")["v"] else {
            Issue.record("\(text) is not a number")
            return
        }
        #expect(number.literal == literal)
    }

    @Test func stylesAndTexts() throws {
        let yaml = "a: plain\nb: 'it''s'\nc: \"tab\\there \\u00e9\"\nd: |\n  lit\n  eral\ne: >\n  folded\n  text\n"
        let root = try parse(yaml)
        func scalar(_ key: String) throws -> YAMLScalar {
            let node = try #require(root.node(at: pointer(.key(key))))
            guard case .scalar(let scalar) = node.kind else { throw ScalarExpected() }
            return scalar
        }
        #expect(try scalar("a") == YAMLScalar(text: "plain", style: .plain, value: "plain"))
        #expect(try scalar("b") == YAMLScalar(text: "it's", style: .singleQuoted, value: "it's"))
        #expect(try scalar("c") == YAMLScalar(text: "tab\there é", style: .doubleQuoted, value: "tab\there é"))
        #expect(try scalar("d") == YAMLScalar(text: "lit\neral\n", style: .literal, value: "lit\neral\n"))
        #expect(try scalar("e") == YAMLScalar(text: "folded text\n", style: .folded, value: "folded text\n"))
    }

    @Test func blockScalarThatLooksLikeANumberIsAString() throws {
        #expect(try json("v: |-\n  12\n")["v"] == "12")
    }

    @Test func escapedNulStaysInTheText() throws {
        #expect(try json("v: \"x\\0y\"\n")["v"] == "x\u{0}y")
    }

    private struct ScalarExpected: Error {}
}

// MARK: - Documents, marks, tree

@Suite("YAML documents and marks")
struct YAMLDocumentTests {
    @Test(arguments: ["", "# only a comment\n", "\n\n   \n", "\u{FEFF}", "\u{FEFF}# comment\n"])
    func fileWithoutDocumentIsNil(_ text: String) throws {
        #expect(try YAMLParser.parse(text) == nil)
    }

    @Test func explicitEmptyDocumentIsNull() throws {
        #expect(try parse("---\n").toJSON() == nil)
        #expect(try json("--- # comment\na: 1\n...\n") == ["a": 1])
    }

    @Test func marksCountCharactersNotBytes() throws {
        // 名前 and 😀 take 6 and 4 bytes but one column each, as libyaml counts.
        let root = try parse("名前: \"ü\"\n😀: [x, 'y']\nk:\n")
        let quoted = try #require(root.node(at: pointer(.key("名前"))))
        #expect(quoted.start == mark(1, 5))  // the opening quote
        #expect(quoted.end == mark(1, 8))  // just past the closing quote
        let list = try #require(root.node(at: pointer(.key("😀"))))
        #expect(list.start == mark(2, 4))
        #expect(list.end == mark(2, 12))
        #expect(root.node(at: pointer(.key("😀"), .index(0)))?.start == mark(2, 5))
        let y = try #require(root.node(at: pointer(.key("😀"), .index(1))))
        #expect(y.start == mark(2, 8))
        #expect(y.end == mark(2, 11))
        #expect(root.keyNode(at: pointer(.key("😀")))?.start == mark(2, 1))
        // An empty value sits just after its ':'.
        #expect(root.node(at: pointer(.key("k")))?.start == mark(3, 3))
    }

    @Test func syntaxErrorColumnAfterMultibyteCharacters() {
        #expect(parseError("ä: b: c\n")?.mark == mark(1, 5))
        #expect(parseError("x: 😀😀 y: z\n")?.mark == mark(1, 8))
    }

    @Test func byteOrderMarkDoesNotShiftColumns() throws {
        let root = try #require(try YAMLParser.parse([0xEF, 0xBB, 0xBF] + Array("a: 1\n".utf8)))
        #expect(root.keyNode(at: pointer(.key("a")))?.start == mark(1, 1))
        #expect(root.node(at: pointer(.key("a")))?.start == mark(1, 4))
    }

    @Test func crlfLineBreaks() throws {
        let root = try parse("a: 1\r\nb: two\r\n")
        #expect(root.node(at: pointer(.key("b")))?.start == mark(2, 4))
        #expect(root.toJSON() == ["a": 1, "b": "two"])
    }

    @Test func duplicateKeysAreKeptAndLastWinsInJSON() throws {
        let root = try parse("a: 1\nb: 2\na: 3\n")
        guard case .mapping(let entries) = root.kind else {
            Issue.record("not a mapping")
            return
        }
        #expect(entries.count == 3)
        #expect(root.toJSON() == ["a": 3, "b": 2])
        if case .object(let object) = root.toJSON() { #expect(object.keys == ["a", "b"]) }
        #expect(root.node(at: pointer(.key("a")))?.start == mark(3, 4))
        #expect(root.keyNode(at: pointer(.key("a")))?.start == mark(3, 1))
    }

    @Test func keysAreTheKeyText() throws {
        #expect(try json("1: one\nnull: n\ntrue: t\n\"q\": x\n") == ["1": "one", "null": "n", "true": "t", "q": "x"])
    }

    @Test func taggedCollectionsAndDirectives() throws {
        #expect(try json("--- !!map\na: !!seq [1]\n") == ["a": [1]])
        #expect(try json("%YAML 1.1\n---\na: 1\n") == ["a": 1])
    }

    @Test func errorDescriptionIsLineColonColumn() throws {
        let error = try #require(parseError("a: 1\nb: 2\nc: d: e\n"))
        #expect(error.description == "3:5: mapping values are not allowed in this context")
        #expect(error.mark == mark(3, 5))
    }
}

// MARK: - Anchors, aliases, merge keys

@Suite("YAML aliases and merge keys")
struct YAMLAliasTests {
    @Test func aliasCopiesTheAnchoredNode() throws {
        let root = try parse("base: &b {x: 1, y: [2]}\ncopy: *b\nname: &n hello\nagain: *n\n")
        #expect(root.toJSON() == ["base": ["x": 1, "y": [2]], "copy": ["x": 1, "y": [2]], "name": "hello", "again": "hello"])
        // The copy itself is placed at the alias; what is inside keeps the anchored marks.
        #expect(root.node(at: pointer(.key("copy")))?.start == mark(2, 7))
        #expect(root.node(at: pointer(.key("copy"), .key("x")))?.start == mark(1, 14))
    }

    @Test func aliasUsesTheLatestDefinition() throws {
        #expect(try json("a: &v 1\nb: &v 2\nc: *v\n")["c"] == 2)
    }

    @Test func mergeKeyAddsMissingEntriesInPlace() throws {
        let root = try parse("d: &d {a: 1, b: 2}\nm:\n  a: 9\n  <<: *d\n  c: 3\n")
        guard case .mapping(let entries)? = root.node(at: pointer(.key("m")))?.kind else {
            Issue.record("m is not a mapping")
            return
        }
        #expect(entries.map(\.key.keyText) == ["a", "b", "c"])  // no duplicate `a` for the decoder to report
        #expect(root.toJSON()["m"] == ["a": 9, "b": 2, "c": 3])
        // A merged entry keeps the marks of where it was written.
        #expect(root.node(at: pointer(.key("m"), .key("b")))?.start == mark(1, 17))
    }

    @Test func mergeListEarlierSourcesWin() throws {
        let yaml = "x: &x {a: 1}\ny: &y {a: 2, b: 2}\nm:\n  <<: [*x, *y]\n  c: 3\n"
        #expect(try json(yaml)["m"] == ["a": 1, "b": 2, "c": 3])
    }

    @Test func quotedMergeKeyIsAnOrdinaryKey() throws {
        #expect(try json("m: {\"<<\": 1, !!str <<: 2}\n")["m"] == ["<<": 2])
    }

    @Test func aliasBombIsRefusedQuickly() throws {
        // The classic "billion laughs", 10 levels of 10: it would expand to 10^10 scalars.
        var yaml = "a: &a [" + Array(repeating: "lol", count: 10).joined(separator: ", ") + "]\n"
        let names = Array("abcdefghij").map(String.init)
        for level in 1..<names.count {
            let items = Array(repeating: "*\(names[level - 1])", count: 10).joined(separator: ", ")
            yaml += "\(names[level]): &\(names[level]) [\(items)]\n"
        }
        let refused = try #require(parseError(yaml))
        // a…e hold 123 461 nodes; the first *e on line f would add 111 111 more.
        #expect(refused.mark == mark(6, 8))
        #expect(refused.message == "alias *e expands the document past 200000 nodes")
        #expect(refused.hint.contains("billion laughs"))
    }

    @Test func nodeBudgetWithoutAliases() throws {
        let yaml = "[" + (1...11).map(String.init).joined(separator: ", ") + "]"
        let error = try #require(parseError(yaml, limits: YAMLLimits(maxNodes: 10)))
        #expect(error.mark == mark(1, 29))  // the list and 9 items fit; "10" is the 11th node
        #expect(error.message == "the document has more than 10 nodes")
        #expect(try YAMLParser.parse("[1, 2, 3]", limits: YAMLLimits(maxNodes: 4)) != nil)
    }
}

// MARK: - Limits and input checks

@Suite("YAML limits")
struct YAMLLimitTests {
    @Test func nestingUpToTheLimitIsAccepted() throws {
        let yaml = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(try YAMLParser.parse(yaml) != nil)
    }

    @Test func deepNestingIsRefused() throws {
        let yaml = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        let error = try #require(parseError(yaml))
        #expect(error.mark == mark(1, 65))
        #expect(error.message == "nesting is deeper than 64 levels")
    }

    @Test func deepBlockNestingIsRefused() throws {
        var yaml = ""
        for level in 0..<70 { yaml += String(repeating: " ", count: level * 2) + "k:\n" }
        let error = try #require(parseError(yaml))
        #expect(error.mark == mark(65, 129))  // the 65th mapping starts at its first key
        #expect(error.message == "nesting is deeper than 64 levels")
    }

    @Test func aliasCannotNestPastTheLimit() throws {
        let limits = YAMLLimits(maxDepth: 3)
        #expect(try YAMLParser.parse("x: &d [[1]]\n", limits: limits) != nil)
        let error = try #require(parseError("x: &d [[1]]\ny: [*d]\n", limits: limits))
        #expect(error.mark == mark(2, 5))
        #expect(error.message == "alias *d nests the document deeper than 3 levels")
    }

    @Test func hugeScalarIsRefused() throws {
        let yaml = "a: " + String(repeating: "x", count: 70_000) + "\n"
        let error = try #require(parseError(yaml))
        #expect(error.mark == mark(1, 4))
        #expect(error.message == "value is 70000 bytes long; the limit is 65536")
        let quoted = try #require(parseError("a: 'x'\nb: \"" + String(repeating: "y", count: 65_537) + "\"\n"))
        #expect(quoted.mark == mark(2, 4))
    }

    @Test func scalarLimitCountsUTF8Bytes() throws {
        let limits = YAMLLimits(maxScalarBytes: 8)
        #expect(try YAMLParser.parse("a: éééé", limits: limits) != nil)  // 8 bytes
        #expect(parseError("a: ééééé", limits: limits)?.message == "value is 10 bytes long; the limit is 8")
    }

    @Test func fileSizeLimit() throws {
        let error = try #require(parseError(Array(repeating: UInt8(ascii: "#"), count: 4 * 1024 * 1024 + 1)))
        #expect(error.mark == mark(1, 1))
        #expect(error.message == "file is 4194305 bytes long; the limit is 4194304")
        #expect(parseError("a: 12345678", limits: YAMLLimits(maxBytes: 10))?.message == "file is 11 bytes long; the limit is 10")
    }

    static let badBytes: [([UInt8], SourceMark, String)] = [
        (Array("a: caf".utf8) + [0xE9, 0x0A], mark(1, 7), "file is not valid UTF-8 (byte 0xE9)"),
        (Array("é: ".utf8) + [0xFF], mark(1, 4), "file is not valid UTF-8 (byte 0xFF)"),
        (Array("a: 1\nb: ".utf8) + [0xC0, 0xAF], mark(2, 4), "file is not valid UTF-8 (byte 0xC0)"),  // overlong '/'
        (Array("a: ".utf8) + [0xED, 0xA0, 0x80], mark(1, 4), "file is not valid UTF-8 (byte 0xED)"),  // surrogate
        (Array("a: ".utf8) + [0xE2, 0x82], mark(1, 4), "file is not valid UTF-8 (byte 0xE2)"),  // cut short
        (Array("a: x".utf8) + [0x00] + Array("y\n".utf8), mark(1, 5), "file contains a NUL byte"),
        (Array("a: 1\r\nb: ".utf8) + [0x00], mark(2, 4), "file contains a NUL byte"),
        (Array("a: \u{7}".utf8), mark(1, 4), "file contains the control character U+0007"),
        (Array("a: \u{80}".utf8), mark(1, 4), "file contains the control character U+0080"),
        ([0xFF, 0xFE, 0x61, 0x00], mark(1, 1), "file is UTF-16 encoded"),
        ([0x61, 0x00, 0x3A, 0x00], mark(1, 2), "file contains a NUL byte"),  // UTF-16 without a BOM
    ]

    @Test(arguments: badBytes)
    func badInputIsRefusedWithItsPosition(_ bytes: [UInt8], expected: SourceMark, message: String) throws {
        let error = try #require(parseError(bytes))
        #expect(error.mark == expected)
        #expect(error.message == message)
        #expect(!error.hint.isEmpty)
    }
}

// MARK: - Errors

@Suite("YAML errors")
struct YAMLErrorTests {
    static let cases: [(String, SourceMark, String)] = [
        ("a: b: c\n", mark(1, 5), "mapping values are not allowed in this context"),
        ("a\nb: 2\n", mark(2, 2), "mapping values are not allowed in this context"),
        ("a:\n\tb: 1\n", mark(2, 1), "tab character in indentation"),
        ("key: value\n\tother: 1\n", mark(2, 1), "tab character in indentation"),
        ("a: |\n  x\n\ty\n", mark(3, 1), "tab character in indentation"),
        ("a: 1\nb: \"abc\n", mark(2, 4), "quoted value is not closed"),
        ("a: 'it''s\n", mark(1, 4), "quoted value is not closed"),
        ("a:\n  b: 1\n c: 2\n", mark(3, 2), "bad indentation of a mapping entry"),
        ("k:\n  - a\n  b: 1\n", mark(3, 3), "expected a '- ' list item"),
        ("- a\n- b\nc\n", mark(3, 1), "expected ':' after this key"),
        ("  - a\n - b\n", mark(2, 2), "unexpected content after the end of the document"),
        ("a: [1,\n", mark(2, 1), "expected a value"),
        ("a: `x`\n", mark(1, 4), "a plain value cannot start with '`'"),
        ("a: &\n", mark(1, 5), "'&' or '*' must be followed by an anchor name"),
        ("a: !x!y 1\n", mark(1, 4), "unknown tag"),
        ("a: !!binary abc\n", mark(1, 4), "unsupported tag !!binary"),
        ("a: !!set {x}\n", mark(1, 4), "unsupported tag !!set"),
        ("a: !!map [x]\n", mark(1, 4), "tag !!map cannot be used on a list"),
        ("a: !!int abc\n", mark(1, 4), "the value is not an integer (tagged !!int)"),
        ("a: !!int 1.5\n", mark(1, 4), "the value is not an integer (tagged !!int)"),
        ("a: !!float x\n", mark(1, 4), "the value is not a number (tagged !!float)"),
        ("a: !!float .inf\n", mark(1, 4), "the !!float value is not a finite number"),
        ("a: !!bool yes\n", mark(1, 4), "the value is not a boolean (tagged !!bool)"),
        ("a: !!null x\n", mark(1, 4), "the value is not null (tagged !!null)"),
        ("x: !!merge <<\n", mark(1, 4), "tag !!merge cannot be used on a value"),
        ("a: 1e999\n", mark(1, 4), "the number is too large for a double"),
        ("a: 0x" + String(repeating: "F", count: 300) + "\n", mark(1, 4), "the number is too large for a double"),
        ("a: \"\\u00zz\"\n", mark(1, 7), "bad \\x, \\u or \\U escape: expected hexadecimal digits"),
        ("a: &x [*x]\n", mark(1, 8), "alias *x refers to a node that contains it"),
        ("a: *nope\n", mark(1, 4), "alias *nope refers to no anchor defined before it"),
        ("{[a]: 1}\n", mark(1, 2), "mapping keys must be scalars"),
        ("? {a: 1}\n: x\n", mark(1, 3), "mapping keys must be scalars"),
        ("x: &m [1]\n*m : 2\n", mark(2, 1), "mapping keys must be scalars"),
        ("m:\n  <<: 5\n", mark(2, 7), "a merge key '<<' needs a mapping or a list of mappings"),
        ("d: &d {a: 1}\nm:\n  <<: [*d, 2]\n", mark(3, 12), "a merge key '<<' needs a mapping or a list of mappings"),
        ("a: 1\n---\nb: 2\n", mark(2, 1), "a second document starts at line 2; a file may hold only one"),
        ("a: 1\n...\nb\n", mark(3, 1), "unexpected content after the end of the document"),
    ]

    @Test(arguments: cases)
    func reportsPosition(_ yaml: String, expected: SourceMark, message: String) throws {
        let error = try #require(parseError(yaml), "\(yaml) should not parse")
        #expect(error.mark == expected)
        #expect(error.message == message)
        #expect(!error.hint.isEmpty)
    }

    @Test(arguments: [
        ("title: Risk alert: check now\n", "must be quoted"),
        ("a: 1\n  b: 2\n", "indented deeper"),
        ("name\nb: 2\n", "has no ':'"),
        ("a:\n\tb: 1\n", "spaces"),
        ("a: 1\nb: \"abc\n", "add the closing \""),
        ("a: 'x\n---\n", "the '---' or '...' on line 2"),
        ("a:\n  b: 1\n c: 2\n", "column 1"),
    ])
    func hintSaysWhatUsuallyCausesIt(_ yaml: String, hintPart: String) throws {
        let error = try #require(parseError(yaml))
        #expect(error.hint.contains(hintPart), "\(error.hint)")
    }

    @Test func errorFixturesArePresent() {
        #expect(Fixture.errorFiles.count >= 15)
    }

    @Test(arguments: Fixture.errorFiles)
    func errorFixture(_ name: String) throws {
        let bytes = try Fixture.bytes("errors/" + name)
        let firstLine = String(decoding: bytes.prefix(while: { $0 != 0x0A }), as: UTF8.self)
        let prefix = "# expect: "
        try #require(firstLine.hasPrefix(prefix), "\(name) has no '# expect:' line")
        let error = try #require(parseError(bytes), "\(name) should not parse")
        #expect(error.description == String(firstLine.dropFirst(prefix.count)), "\(name)")
        #expect(!error.hint.isEmpty)
    }
}

// MARK: - Pointers into the tree

@Suite("YAML node lookup")
struct YAMLNodeLookupTests {
    let root: YAMLNode

    init() throws {
        root = try #require(try YAMLParser.parse(Fixture.bytes("rules.yaml")))
    }

    @Test func toJSONOfARuleFile() throws {
        let json = root.toJSON()
        let first = try #require(json["rules"]?[0])
        if case .object(let object) = first {
            #expect(object.keys == ["name", "backoff", "quiet", "retries", "match", "message", "locales", "note"])
        }
        #expect(first["retries"] == 5)
        #expect(first["backoff"] == 0.5)
        #expect(first["match"] == ["source": "payments", "detail.amount": [100, 16]])
        #expect(first["message"] == "Zahlung fehlgeschlagen für {name} — bitte prüfen")
        #expect(first["note"] == "Ünïcode lines\nstay as written.\n")
        let second = try #require(json["rules"]?[1])
        #expect(second == ["name": "日本語のルール", "retries": 3, "backoff": 0.5, "quiet": false, "enabled": "yes", "threshold": nil])
    }

    @Test func valueNodes() throws {
        #expect(root.node(at: pointer(.key("rules"), .index(0), .key("match"), .key("source")))?.start == mark(12, 15))
        #expect(root.node(at: pointer(.key("rules"), .index(0), .key("message")))?.start == mark(14, 14))
        #expect(root.node(at: pointer(.key("rules"), .index(0), .key("locales"), .index(1)))?.start == mark(15, 19))
        #expect(root.node(at: pointer(.key("rules"), .index(0)))?.start == mark(8, 5))
        let name = try #require(root.node(at: pointer(.key("rules"), .index(1), .key("name"))))
        #expect(name.start == mark(19, 11))
        #expect(name.end == mark(19, 18))
        #expect(root.node(at: pointer(.key("rules"), .index(1), .key("enabled")))?.start == mark(21, 14))
        // Merged from the defaults: marks point where the value is written.
        #expect(root.node(at: pointer(.key("rules"), .index(0), .key("backoff")))?.start == mark(4, 12))
        #expect(root.node(at: .root) == root)
    }

    @Test func keyNodes() {
        #expect(root.keyNode(at: pointer(.key("rules"), .index(0), .key("retries")))?.start == mark(10, 5))
        #expect(root.keyNode(at: pointer(.key("rules"), .index(0), .key("match"), .key("detail.amount")))?.start == mark(13, 7))
        #expect(root.keyNode(at: pointer(.key("rules"), .index(0))) == nil)
        #expect(root.keyNode(at: .root) == nil)
        #expect(root.keyNode(at: pointer(.key("rules"), .index(0), .key("missing"))) == nil)
    }

    @Test func missingPaths() {
        #expect(root.node(at: pointer(.key("rules"), .index(5))) == nil)
        #expect(root.node(at: pointer(.key("rules"), .index(-1))) == nil)
        #expect(root.node(at: pointer(.key("nope"))) == nil)
        #expect(root.node(at: pointer(.key("defaults"), .key("retries"), .index(0))) == nil)
        let closest = root.closestNode(at: pointer(.key("rules"), .index(0), .key("match"), .key("missing"), .key("deeper")))
        #expect(closest.start == mark(12, 7))  // the `match` mapping
    }

    @Test func indexAndKeyComponentsMatchLeniently() throws {
        let tree = try parse("0: zero\nlist: [a, b]\n")
        #expect(tree.node(at: pointer(.index(0)))?.toJSON() == "zero")
        #expect(tree.node(at: pointer(.key("list"), .key("1")))?.toJSON() == "b")
        #expect(tree.node(at: pointer(.key("list"), .key("01"))) == nil)
    }
}
