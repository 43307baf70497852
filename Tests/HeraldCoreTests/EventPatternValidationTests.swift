import Testing

@testable import HeraldCore

/// An invalid pattern and the one problem it must be reported with.
struct PatternErrorCase: Sendable, CustomTestStringConvertible {
    let name: String
    let pattern: JSONValue
    let pointer: JSONPointer
    let message: String
    let hint: String?

    /// `pointer` is written like an RFC 6901 pointer; all-digit components are array indexes.
    init(_ name: String, _ pattern: JSONValue, at pointer: String, _ message: String, hint: String? = nil) {
        self.name = name
        self.pattern = pattern
        self.pointer = JSONPointer(
            pointer.split(separator: "/").map { part in
                if let index = Int(part) { .index(index) } else { .key(String(part)) }
            })
        self.message = message
        self.hint = hint
    }

    var testDescription: String { name }
}

@Suite("EventPattern validation")
struct EventPatternValidationTests {
    static let structure: [PatternErrorCase] = [
        .init("a list is not a pattern", ["a"], at: "", "an event pattern must be a JSON object, not a list", hint: #""source""#),
        .init("a string is not a pattern", "source", at: "", "must be a JSON object, not the string \"source\""),
        .init("empty pattern", [:], at: "", "an empty object matches nothing"),
        .init("empty nested object", ["detail": [:]], at: "/detail", "an empty object matches nothing"),
        .init(
            "a bare string value", ["source": "aws.ec2"], at: "/source",
            "\"source\" must hold a list of values or a nested object, not the string \"aws.ec2\"",
            hint: #""source": ["aws.ec2"]"#),
        .init("a bare number", ["detail": ["count": 5]], at: "/detail/count", "not the number 5", hint: #""count": [5]"#),
        .init(
            "an operator one level too high", ["time": ["prefix": "2017"]], at: "/time/prefix",
            "\"prefix\" must hold a list of values", hint: #""time": [{"prefix": "2017"}]"#),
        .init("empty value list", ["source": []], at: "/source", "an empty value list matches nothing", hint: "exists"),
        .init("list inside a value list", ["a": ["x", ["y"]]], at: "/a/1", "a value list cannot contain another list"),
        .init("empty operator object", ["a": [[:]]], at: "/a/0", "needs exactly one operator, found none"),
        .init(
            "two operators in one object", ["a": [["prefix": "x", "suffix": "y"]]], at: "/a/0/suffix",
            "holds exactly one operator, but this one has 2: \"prefix\", \"suffix\"", hint: "its own object"),
        .init(
            "misspelt operator", ["a": [["prefx": "x"]]], at: "/a/0/prefx", "unknown operator \"prefx\"",
            hint: "did you mean \"prefix\"?"),
        .init("operator in capitals", ["a": [["EXISTS": true]]], at: "/a/0/EXISTS", "unknown operator", hint: "lower case"),
        .init("contains", ["a": [["contains": "x"]]], at: "/a/0/contains", "unknown operator", hint: #"{"wildcard": "*text*"}"#),
        .init("comparison as operator", ["a": [[">": 5]]], at: "/a/0/>", "unknown operator", hint: "numeric"),
        .init("unrelated operator", ["a": [["frobnicate": 1]]], at: "/a/0/frobnicate", "unknown operator", hint: "use one of: prefix"),
    ]

    static let stringOperators: [PatternErrorCase] = [
        .init("prefix number", ["a": [["prefix": 5]]], at: "/a/0/prefix", "prefix needs a string, not the number 5", hint: #"{"prefix": "5"}"#),
        .init("suffix boolean", ["a": [["suffix": true]]], at: "/a/0/suffix", "suffix needs a string, not the boolean true"),
        .init("prefix empty object", ["a": [["prefix": [:]]]], at: "/a/0/prefix", "found an empty object"),
        .init(
            "prefix object with another operator", ["a": [["prefix": ["equals": "x"]]]], at: "/a/0/prefix/equals",
            "prefix accepts only \"equals-ignore-case\" inside an object, not \"equals\""),
        .init(
            "prefix object with two operators", ["a": [["prefix": ["equals-ignore-case": "x", "wildcard": "y"]]]],
            at: "/a/0/prefix/wildcard", "takes one operator inside its object"),
        .init(
            "prefix ignoring case, number", ["a": [["prefix": ["equals-ignore-case": 1]]]],
            at: "/a/0/prefix/equals-ignore-case", "equals-ignore-case needs a string"),
        .init("equals-ignore-case number", ["a": [["equals-ignore-case": 1]]], at: "/a/0/equals-ignore-case", "needs a string"),
        .init("exactly number", ["a": [["exactly": 5]]], at: "/a/0/exactly", "exactly needs a string", hint: "[5]"),
        .init("wildcard number", ["a": [["wildcard": 5]]], at: "/a/0/wildcard", "wildcard needs a string"),
        .init(
            "consecutive stars", ["a": [["wildcard": "a**b"]]], at: "/a/0/wildcard",
            "wildcard \"a**b\" has two * in a row at character 2", hint: #""a*b""#),
        .init(
            "backslash escaping a letter", ["a": [["wildcard": "a\\b"]]], at: "/a/0/wildcard",
            "has a backslash at character 2 that escapes neither"),
        .init("trailing backslash", ["a": [["wildcard": "ab\\"]]], at: "/a/0/wildcard", "backslash at character 3"),
        .init("position counts characters", ["a": [["wildcard": "ü**"]]], at: "/a/0/wildcard", "at character 2"),
    ]

    static let anythingBut: [PatternErrorCase] = [
        .init("true", ["a": [["anything-but": true]]], at: "/a/0/anything-but", "not the boolean true", hint: "[false]"),
        .init("null", ["a": [["anything-but": nil]]], at: "/a/0/anything-but", "not null", hint: "cannot exclude null"),
        .init("empty list", ["a": [["anything-but": []]]], at: "/a/0/anything-but", "needs at least one value to exclude"),
        .init(
            "boolean in the list", ["a": [["anything-but": ["x", true]]]], at: "/a/0/anything-but/1",
            "anything-but lists hold strings or numbers, not the boolean true"),
        .init(
            "mixed list", ["a": [["anything-but": ["x", 1]]]], at: "/a/0/anything-but/1",
            "must be all strings or all numbers"),
        .init("mixed list, numbers first", ["a": [["anything-but": [1, 2, "x"]]]], at: "/a/0/anything-but/2", "mixes them"),
        .init(
            "numeric inside", ["a": [["anything-but": ["numeric": [">", 1]]]]], at: "/a/0/anything-but/numeric",
            "anything-but cannot contain \"numeric\"", hint: #"{"numeric": ["<", 0]}"#),
        .init(
            "misspelt operator inside", ["a": [["anything-but": ["prefx": "a"]]]], at: "/a/0/anything-but/prefx",
            "cannot contain \"prefx\"", hint: "did you mean \"prefix\"?"),
        .init("empty object", ["a": [["anything-but": [:]]]], at: "/a/0/anything-but", "needs one operator inside, found none"),
        .init(
            "two operators inside", ["a": [["anything-but": ["prefix": "a", "suffix": "b"]]]],
            at: "/a/0/anything-but/suffix", "takes one operator inside its object, found 2"),
        .init(
            "empty prefix", ["a": [["anything-but": ["prefix": ""]]]], at: "/a/0/anything-but/prefix",
            "an empty prefix inside anything-but would exclude every string"),
        .init(
            "empty suffix in a list", ["a": [["anything-but": ["suffix": ["a", ""]]]]], at: "/a/0/anything-but/suffix/1",
            "an empty suffix"),
        .init(
            "prefix number", ["a": [["anything-but": ["prefix": 5]]]], at: "/a/0/anything-but/prefix",
            "prefix inside anything-but needs a string or a list of strings, not the number 5"),
        .init(
            "prefix empty list", ["a": [["anything-but": ["prefix": []]]]], at: "/a/0/anything-but/prefix",
            "needs at least one value, found an empty list"),
        .init(
            "number in an ignore-case list", ["a": [["anything-but": ["equals-ignore-case": ["a", 1]]]]],
            at: "/a/0/anything-but/equals-ignore-case/1", "takes strings, not the number 1"),
        .init(
            "bad wildcard", ["a": [["anything-but": ["wildcard": "**"]]]], at: "/a/0/anything-but/wildcard",
            "two * in a row"),
        .init(
            "bad wildcard in a list", ["a": [["anything-but": ["wildcard": ["a", "b**"]]]]],
            at: "/a/0/anything-but/wildcard/1", "two * in a row at character 2"),
        .init(
            "number a double cannot hold", ["a": [["anything-but": [number("12345678901234567891")]]]],
            at: "/a/0/anything-but/0", "12345678901234567891 cannot be compared exactly"),
    ]

    static let numeric: [PatternErrorCase] = [
        .init("not a list", ["a": [["numeric": 5]]], at: "/a/0/numeric", "numeric needs a list", hint: #"["=", 5]"#),
        .init("empty list", ["a": [["numeric": []]]], at: "/a/0/numeric", "needs at least one comparison"),
        .init("number first", ["a": [["numeric": [5]]]], at: "/a/0/numeric/0", "expected a comparison (=, <, <=, >, >=) here"),
        .init("==", ["a": [["numeric": ["==", 5]]]], at: "/a/0/numeric/0", "unknown numeric comparison \"==\"", hint: #"use "=""#),
        .init("!=", ["a": [["numeric": ["!=", 5]]]], at: "/a/0/numeric/0", "unknown numeric comparison", hint: "anything-but"),
        .init("missing number", ["a": [["numeric": [">"]]]], at: "/a/0/numeric/0", "\">\" needs a number after it"),
        .init(
            "quoted number", ["a": [["numeric": [">", "5"]]]], at: "/a/0/numeric/1",
            "\">\" needs a number after it, not the string \"5\"", hint: "without quotes"),
        .init("= then more", ["a": [["numeric": ["=", 5, "<", 6]]]], at: "/a/0/numeric/2", "nothing may follow it"),
        .init(
            "upper bound first", ["a": [["numeric": ["<", 10, ">", 0]]]], at: "/a/0/numeric/2",
            "starts with \"<\" must end there", hint: "lower bound first"),
        .init("two lower bounds", ["a": [["numeric": [">", 0, ">", 5]]]], at: "/a/0/numeric/2", "needs an upper bound"),
        .init("missing upper number", ["a": [["numeric": [">", 0, "<"]]]], at: "/a/0/numeric/2", "\"<\" needs a number after it"),
        .init("upper not a number", ["a": [["numeric": [">", 0, "<", nil]]]], at: "/a/0/numeric/3", "needs a number after it, not null"),
        .init(
            "inverted range", ["a": [["numeric": [">", 5, "<=", 1]]]], at: "/a/0/numeric",
            "numeric range needs a lower bound below its upper bound (5 is not below 1)", hint: #"[">", 1, "<=", 5]"#),
        .init("empty range", ["a": [["numeric": [">=", 5, "<", 5]]]], at: "/a/0/numeric", "lower bound below its upper bound"),
        .init("five terms", ["a": [["numeric": [">", 0, "<", 5, "<"]]]], at: "/a/0/numeric/4", "at most two comparisons"),
        .init(
            "infinite bound", ["a": [["numeric": [">", .number(JSONNumber(.infinity, literal: "1e999"))]]]],
            at: "/a/0/numeric/1", "1e999 cannot be compared exactly"),
        .init(
            "integer a double would round", ["a": [["numeric": ["=", number("123456789012345678")]]]],
            at: "/a/0/numeric/1", "cannot be compared exactly"),
    ]

    static let existsAndCIDR: [PatternErrorCase] = [
        .init("exists as a string", ["a": [["exists": "true"]]], at: "/a/0/exists", "exists takes true or false", hint: "without quotes"),
        .init("exists as a number", ["a": [["exists": 1]]], at: "/a/0/exists", "not the number 1", hint: #"{"exists": false}"#),
        .init("cidr number", ["ip": [["cidr": 10]]], at: "/ip/0/cidr", "cidr needs a string"),
        .init("cidr without a slash", ["ip": [["cidr": "10.0.0.1"]]], at: "/ip/0/cidr", "needs one slash", hint: #"["10.0.0.1"]"#),
        .init("cidr with two slashes", ["ip": [["cidr": "10.0.0.0/8/8"]]], at: "/ip/0/cidr", "needs one slash"),
        .init("cidr with a trailing slash", ["ip": [["cidr": "10.0.0.0/"]]], at: "/ip/0/cidr", "needs one slash"),
        .init("cidr length not a number", ["ip": [["cidr": "10.0.0.0/ab"]]], at: "/ip/0/cidr", "\"ab\" in \"10.0.0.0/ab\" is not a whole number"),
        .init("cidr negative length", ["ip": [["cidr": "10.0.0.0/-1"]]], at: "/ip/0/cidr", "is negative"),
        .init("cidr octet too large", ["ip": [["cidr": "300.0.0.0/8"]]], at: "/ip/0/cidr", "\"300.0.0.0\" in \"300.0.0.0/8\" is not an IPv4 or IPv6 address"),
        .init("cidr hostname", ["ip": [["cidr": "example.com/8"]]], at: "/ip/0/cidr", "is not an IPv4 or IPv6 address"),
        .init("cidr bad IPv6", ["ip": [["cidr": "2001:db8:::/32"]]], at: "/ip/0/cidr", "is not an IPv4 or IPv6 address"),
        .init(
            "cidr /32", ["ip": [["cidr": "10.0.0.1/32"]]], at: "/ip/0/cidr", "IPv4 prefix length below 32, found /32",
            hint: #"["10.0.0.1"]"#),
        .init("cidr /128", ["ip": [["cidr": "::1/128"]]], at: "/ip/0/cidr", "IPv6 prefix length below 128, found /128"),
    ]

    static let or: [PatternErrorCase] = [
        .init("not a list", ["$or": ["a": [1]]], at: "/$or", "$or needs a list of at least two alternative objects, not an object"),
        .init("one alternative", ["$or": [["a": [1]]]], at: "/$or", "$or needs at least two alternatives, found 1"),
        .init("no alternative", ["$or": []], at: "/$or", "found 0"),
        .init("a string alternative", ["$or": [["a": [1]], "b"]], at: "/$or/1", "each $or alternative must be an object"),
        .init("an empty alternative", ["$or": [["a": [1]], [:]]], at: "/$or/1", "an empty object matches nothing"),
        .init(
            "an operator name as a field", ["$or": [["prefix": ["x"]], ["b": [1]]]], at: "/$or/0/prefix",
            "\"prefix\" is an EventBridge operator name and cannot be a field name inside $or"),
        .init(
            "an operator name deeper inside", ["detail": ["$or": [["a": ["numeric": [1]]], ["b": [1]]]]],
            at: "/detail/$or/0/a/numeric", "cannot be a field name inside $or"),
    ]

    @Test(arguments: structure + stringOperators + anythingBut + numeric + existsAndCIDR + or)
    func reportsTheProblem(_ testCase: PatternErrorCase) throws {
        let errors = EventPattern.validate(json: testCase.pattern)
        #expect(errors.count == 1, "\(errors)")
        let error = try #require(errors.first)
        #expect(error.pointer == testCase.pointer)
        #expect(error.message.contains(testCase.message), "\(error.message)")
        if let hint = testCase.hint {
            #expect(error.hint.contains(hint), "\(error.hint)")
        }
        #expect(!error.hint.isEmpty)
        #expect(throws: error) { try EventPattern(json: testCase.pattern) }
    }

    /// A pattern EventBridge accepts, named for what it exercises.
    struct ValidPattern: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let json: JSONValue
    }

    static let validPatterns: [ValidPattern] = [
        .init(
            testDescription: "the user guide's example",
            json: ["source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"], "detail": ["state": ["running"]]]),
        .init(testDescription: "empty prefix, ignore-case suffix", json: ["time": [["prefix": ""]], "file": [["suffix": ["equals-ignore-case": ".PNG"]]]]),
        .init(testDescription: "escapes and empty wildcards", json: ["a": [["wildcard": "\\*\\\\*"]], "b": [["wildcard": ""]], "c": [["wildcard": "*"]]]),
        .init(
            testDescription: "empty wildcard and ignore-case inside anything-but",
            json: ["a": [["anything-but": ["wildcard": ""]]], "b": [["anything-but": ["equals-ignore-case": ""]]]]),
        .init(
            testDescription: "2^53 and wide ranges",
            json: ["n": [["numeric": ["=", number("9007199254740992")]]], "m": [["numeric": [">", -1e300, "<", 1e300]]]]),
        .init(
            testDescription: "/31, /0, IPv6 /127 and a signed length",
            json: ["ip": [["cidr": "10.0.0.1/31"], ["cidr": "0.0.0.0/0"], ["cidr": "2001:db8::/127"], ["cidr": "10.0.0.0/+8"]]]),
        .init(
            testDescription: "operator names are field names outside $or",
            json: ["prefix": ["a field may be called prefix outside $or"], "numeric": ["and numeric"]]),
        .init(testDescription: "$or with a nested alternative", json: ["$or": [["a": [1]], ["b": ["c": [["exists": false]]]]]]),
        .init(
            testDescription: "$or inside detail",
            json: ["detail": ["$or": [["c-count": [["numeric": [">", 0, "<=", 5]]]], ["d-count": [["numeric": ["<", 10]]]]]]]),
        .init(testDescription: "every kind of value in one list", json: ["v": ["a", 1, nil, true, false, 2.5, ["exists": false], ["exactly": "b"]]]),
        .init(
            testDescription: "exactly 1000 combinations",
            json: [
                "$or": [["a": [1]], ["b": [1]], ["c": [1]], ["d": [1]], ["e": [1]], ["f": [1]], ["g": [1]], ["h": [1]], ["i": [1]], ["j": [1]]],
                "x": ["$or": [["a": [1]], ["b": [1]], ["c": [1]], ["d": [1]], ["e": [1]], ["f": [1]], ["g": [1]], ["h": [1]], ["i": [1]], ["j": [1]]]],
                "y": ["$or": [["a": [1]], ["b": [1]], ["c": [1]], ["d": [1]], ["e": [1]], ["f": [1]], ["g": [1]], ["h": [1]], ["i": [1]], ["j": [1]]]],
            ]),
    ]

    @Test(arguments: validPatterns)
    func acceptsValidPattern(_ pattern: ValidPattern) {
        #expect(EventPattern.validate(json: pattern.json) == [])
    }

    @Test func collectsEveryProblemInDocumentOrder() throws {
        let pattern: JSONValue = [
            "source": "aws.ec2",
            "detail": ["state": [["prefx": "run"]], "count": [["numeric": [">", 5, "<", 1]]]],
            "region": [],
        ]
        let errors = EventPattern.validate(json: pattern)
        #expect(errors.map(\.pointer.description) == ["/source", "/detail/state/0/prefx", "/detail/count/0/numeric", "/region"])
        #expect(throws: errors[0]) { try EventPattern(json: pattern) }
    }

    @Test func refusesMoreThanAThousandCombinations() {
        let six: JSONValue = ["$or": .array((0..<6).map { ["f\($0)": [1]] })]
        let pattern: JSONValue = ["a": six, "b": six, "c": six, "d": six]  // 6⁴ = 1296
        let errors = EventPattern.validate(json: pattern)
        #expect(errors.count == 1)
        #expect(errors.first?.pointer.description == "/a/$or")
        #expect(errors.first?.message.contains("more than 1000 combinations") == true)
    }

    @Test func refusesPathologicalNesting() {
        var pattern: JSONValue = ["leaf": [1]]
        for _ in 0..<PatternCompiler.maxDepth { pattern = ["n": pattern] }
        let errors = EventPattern.validate(json: pattern)
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains("deeper than 100 levels") == true)
        #expect(errors.first?.pointer.components.count == PatternCompiler.maxDepth)
    }

    @Test func describesItselfWithThePointer() {
        let error = PatternError(pointer: JSONPointer([.key("a"), .index(0)]), message: "bad", hint: "fix it")
        #expect(error.description == "/a/0: bad (fix it)")
        #expect(PatternError(pointer: .root, message: "bad", hint: "fix it").description == "(pattern): bad (fix it)")
    }
}
