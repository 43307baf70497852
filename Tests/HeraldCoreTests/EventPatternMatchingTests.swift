import Testing

@testable import HeraldCore

/// A pattern, an event, and whether EventBridge matches them.
struct PatternMatchCase: Sendable, CustomTestStringConvertible {
    let name: String
    let pattern: JSONValue
    let event: JSONValue
    let expected: Bool

    init(_ name: String, _ pattern: JSONValue, _ event: JSONValue, _ expected: Bool) {
        self.name = name
        self.pattern = pattern
        self.event = event
        self.expected = expected
    }

    var testDescription: String { "\(name) → \(expected ? "match" : "no match")" }

    func check(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let compiled = try EventPattern(json: pattern)
        #expect(compiled.matches(event) == expected, "\(name)", sourceLocation: sourceLocation)
    }
}

/// A JSON number with its literal as written (`3e2`), which literals in Swift cannot express.
func number(_ literal: String) -> JSONValue {
    .number(JSONNumber(Double(literal) ?? .nan, literal: literal))
}

@Suite("EventPattern matching")
struct EventPatternMatchingTests {
    // MARK: Exact values, numbers, booleans, null

    static let exactValuesCases: [PatternMatchCase] = [
        .init("string equal", ["source": ["aws.ec2"]], ["source": "aws.ec2"], true),
        .init("string differs", ["source": ["aws.ec2"]], ["source": "aws.ec3"], false),
        .init("field missing", ["source": ["aws.ec2"]], ["detail": "aws.ec2"], false),
        .init("any value of the list", ["state": ["pending", "running"]], ["state": "running"], true),
        .init("none of the list", ["state": ["pending", "running"]], ["state": "stopped"], false),
        .init("case matters", ["state": ["running"]], ["state": "Running"], false),
        .init("empty string matches empty string", ["name": [""]], ["name": ""], true),
        .init("empty string is not missing", ["name": [""]], ["other": ""], false),
        .init("strings compare byte for byte", ["name": ["\u{E9}"]], ["name": "e\u{301}"], false),
        .init("same bytes match", ["name": ["e\u{301}"]], ["name": "e\u{301}"], true),
        .init("extra event fields are ignored", ["a": ["x"]], ["a": "x", "b": "y", "c": ["d": 1]], true),
        .init("every pattern field must match", ["a": ["x"], "b": ["y"]], ["a": "x", "b": "z"], false),
        .init("nested field", ["detail": ["state": ["running"]]], ["detail": ["state": "running"]], true),
        .init("nested field differs", ["detail": ["state": ["running"]]], ["detail": ["state": "stopped"]], false),
        .init("nested parent missing", ["detail": ["state": ["running"]]], ["state": "running"], false),
        .init("nested parent is a string", ["detail": ["state": ["running"]]], ["detail": "running"], false),
        .init("leaf pattern on an object value", ["detail": ["running"]], ["detail": ["state": "running"]], false),

        .init("number equal", ["count": [300]], ["count": 300], true),
        .init("300 equals 300.0", ["count": [300]], ["count": 300.0], true),
        .init("300 equals 3e2", ["count": [300]], ["count": number("3e2")], true),
        .init("3e2 in the pattern equals 300", ["count": [number("3e2")]], ["count": 300], true),
        .init("fractions compare by value", ["price": [301.8]], ["price": number("3.018e2")], true),
        .init("number differs", ["count": [300]], ["count": 301], false),
        .init("number does not match its string", ["count": [300]], ["count": "300"], false),
        .init("string does not match the number", ["count": ["300"]], ["count": 300], false),
        .init("zero and minus zero are one number", ["n": [0]], ["n": number("-0")], true),
        .init("large integers (account ids)", ["account": [123_456_789_012]], ["account": 123_456_789_012], true),

        .init("true matches true", ["enabled": [true]], ["enabled": true], true),
        .init("true does not match false", ["enabled": [true]], ["enabled": false], false),
        .init("true does not match \"true\"", ["enabled": [true]], ["enabled": "true"], false),
        .init("false does not match 0", ["enabled": [false]], ["enabled": 0], false),

        .init("null matches null", ["user": [nil]], ["user": nil], true),
        .init("null does not match a missing field", ["user": [nil]], ["other": 1], false),
        .init("null does not match \"null\"", ["user": [nil]], ["user": "null"], false),
        .init("null does not match an empty string", ["user": [nil]], ["user": ""], false),
        .init("mixed list: the number", ["v": ["a", 1, nil, true]], ["v": 1], true),
        .init("mixed list: null", ["v": ["a", 1, nil, true]], ["v": nil], true),
        .init("mixed list: none", ["v": ["a", 1, nil, true]], ["v": false], false),
    ]

    @Test(arguments: exactValuesCases)
    func exactValue(_ testCase: PatternMatchCase) throws {
        try testCase.check()
    }

    // MARK: Operators

    static let prefixAndSuffixCases: [PatternMatchCase] = [
        .init("prefix", ["time": [["prefix": "2017-10-02"]]], ["time": "2017-10-02T18:43:48Z"], true),
        .init("prefix differs", ["time": [["prefix": "2017-10-02"]]], ["time": "2017-10-03T18:43:48Z"], false),
        .init("prefix is case sensitive", ["region": [["prefix": "us-"]]], ["region": "US-east-1"], false),
        .init("prefix longer than value", ["region": [["prefix": "us-east-1a"]]], ["region": "us-east-1"], false),
        .init("prefix only sees strings", ["code": [["prefix": "5"]]], ["code": 500], false),
        .init("empty prefix matches any string", ["code": [["prefix": ""]]], ["code": "x"], true),
        .init("empty prefix does not match a number", ["code": [["prefix": ""]]], ["code": 5], false),
        .init(
            "prefix ignoring case", ["service": [["prefix": ["equals-ignore-case": "EventB"]]]],
            ["service": "eventbridge"], true),
        .init(
            "prefix ignoring case, upper value", ["service": [["prefix": ["equals-ignore-case": "EventB"]]]],
            ["service": "EVENTBRIDGE"], true),
        .init(
            "prefix ignoring case differs", ["service": [["prefix": ["equals-ignore-case": "EventB"]]]],
            ["service": "event"], false),
        .init("suffix", ["file": [["suffix": ".png"]]], ["file": "photos/cat.png"], true),
        .init("suffix is case sensitive", ["file": [["suffix": ".png"]]], ["file": "cat.PNG"], false),
        .init("suffix differs", ["file": [["suffix": ".png"]]], ["file": "cat.png.jpg"], false),
        .init("suffix only sees strings", ["n": [["suffix": "0"]]], ["n": 10], false),
        .init(
            "suffix ignoring case", ["file": [["suffix": ["equals-ignore-case": ".png"]]]], ["file": "CAT.PNG"], true),
        .init(
            "suffix ignoring case differs", ["file": [["suffix": ["equals-ignore-case": ".png"]]]],
            ["file": "cat.jpg"], false),
        .init(
            "suffix ignoring case, non-ASCII", ["city": [["suffix": ["equals-ignore-case": "straße"]]]],
            ["city": "HAUPTSTRASSE"], true),
        .init("exactly", ["name": [["exactly": "Alice"]]], ["name": "Alice"], true),
        .init("exactly differs", ["name": [["exactly": "Alice"]]], ["name": "alice"], false),
    ]

    @Test(arguments: prefixAndSuffixCases)
    func prefixSuffixAndExactly(_ testCase: PatternMatchCase) throws {
        try testCase.check()
    }

    static let equalsIgnoreCaseCases: [PatternMatchCase] = [
        .init("upper value", ["state": [["equals-ignore-case": "Running"]]], ["state": "RUNNING"], true),
        .init("lower value", ["state": [["equals-ignore-case": "Running"]]], ["state": "running"], true),
        .init("different length", ["state": [["equals-ignore-case": "Running"]]], ["state": "runnin"], false),
        .init("different text", ["state": [["equals-ignore-case": "Running"]]], ["state": "Stopped"], false),
        .init("only strings", ["n": [["equals-ignore-case": "1"]]], ["n": 1], false),
        .init("non-ASCII letters", ["city": [["equals-ignore-case": "Zürich"]]], ["city": "ZÜRICH"], true),
        .init("ß in the pattern also matches SS", ["street": [["equals-ignore-case": "Straße"]]], ["street": "STRASSE"], true),
        .init("ß in the pattern matches ß", ["street": [["equals-ignore-case": "Straße"]]], ["street": "STRAßE"], true),
        .init("ß in the pattern does not match ss", ["street": [["equals-ignore-case": "Straße"]]], ["street": "strasse"], false),
        .init("one-way: SS in the pattern does not match ß", ["street": [["equals-ignore-case": "STRASSE"]]], ["street": "straße"], false),
        .init("Kelvin sign is not the letter k", ["unit": [["equals-ignore-case": "k"]]], ["unit": "\u{212A}"], false),
    ]

    @Test(arguments: equalsIgnoreCaseCases)
    func equalsIgnoringCase(_ testCase: PatternMatchCase) throws {
        try testCase.check()
    }

    static let wildcardsCases: [PatternMatchCase] = [
        .init("star suffix", ["file": [["wildcard": "*.png"]]], ["file": "dir/cat.png"], true),
        .init("star suffix differs", ["file": [["wildcard": "*.png"]]], ["file": "dir/cat.jpg"], false),
        .init("star in the middle", ["path": [["wildcard": "dir/*/file"]]], ["path": "dir/a/b/file"], true),
        .init("star matches nothing", ["path": [["wildcard": "dir/*/file"]]], ["path": "dir//file"], true),
        .init("anchored at both ends", ["path": [["wildcard": "dir/*/file"]]], ["path": "xdir/a/file"], false),
        .init("several stars in order", ["s": [["wildcard": "a*b*c"]]], ["s": "a-b-c"], true),
        .init("several stars out of order", ["s": [["wildcard": "a*b*c"]]], ["s": "acb"], false),
        .init("overlapping runs", ["s": [["wildcard": "*ab*ab"]]], ["s": "abab"], true),
        .init("lone star matches empty", ["s": [["wildcard": "*"]]], ["s": ""], true),
        .init("no star is exact", ["s": [["wildcard": "abc"]]], ["s": "abcd"], false),
        .init("escaped star is literal", ["s": [["wildcard": "a\\*b"]]], ["s": "a*b"], true),
        .init("escaped star is not a wildcard", ["s": [["wildcard": "a\\*b"]]], ["s": "axb"], false),
        .init("escaped backslash is literal", ["s": [["wildcard": "a\\\\b"]]], ["s": "a\\b"], true),
        .init("question mark is literal", ["s": [["wildcard": "a?c"]]], ["s": "abc"], false),
        .init("question mark matches itself", ["s": [["wildcard": "a?c"]]], ["s": "a?c"], true),
        .init("only strings", ["n": [["wildcard": "1*"]]], ["n": 10], false),
        .init("multi-byte text", ["s": [["wildcard": "ü*ön"]]], ["s": "über-schön"], true),
    ]

    @Test(arguments: wildcardsCases)
    func wildcard(_ testCase: PatternMatchCase) throws {
        try testCase.check()
    }

    static let anythingButCases: [PatternMatchCase] = [
        .init("other string", ["state": [["anything-but": "initializing"]]], ["state": "running"], true),
        .init("the excluded string", ["state": [["anything-but": "initializing"]]], ["state": "initializing"], false),
        .init("field must exist", ["state": [["anything-but": "initializing"]]], ["other": "x"], false),
        .init("a number passes a string exclusion", ["state": [["anything-but": "initializing"]]], ["state": 5], true),
        .init("null passes a string exclusion", ["state": [["anything-but": "initializing"]]], ["state": nil], true),
        .init("an object is not a value", ["state": [["anything-but": "initializing"]]], ["state": ["a": 1]], false),
        .init("excluded number", ["limit": [["anything-but": 123]]], ["limit": 123], false),
        .init("excluded number, other spelling", ["limit": [["anything-but": 123]]], ["limit": 123.0], false),
        .init("other number", ["limit": [["anything-but": 123]]], ["limit": 124], true),
        .init("a string passes a number exclusion", ["limit": [["anything-but": 123]]], ["limit": "123"], true),
        .init("string list, excluded", ["state": [["anything-but": ["stopped", "overloaded"]]]], ["state": "stopped"], false),
        .init("string list, other", ["state": [["anything-but": ["stopped", "overloaded"]]]], ["state": "running"], true),
        .init("number list, excluded", ["x": [["anything-but": [100, 200, 300]]]], ["x": 200], false),
        .init("number list, other", ["x": [["anything-but": [100, 200, 300]]]], ["x": 201], true),
        .init("array: one element passes", ["price": [["anything-but": [100, 500]]]], ["price": [100, 50]], true),
        .init("array: every element excluded", ["price": [["anything-but": [100, 500]]]], ["price": [100, 500]], false),
        .init("empty array has no value", ["price": [["anything-but": [100, 500]]]], ["price": []], false),
        .init("prefix, other", ["state": [["anything-but": ["prefix": "init"]]]], ["state": "running"], true),
        .init("prefix, excluded", ["state": [["anything-but": ["prefix": "init"]]]], ["state": "initializing"], false),
        .init("prefix, number passes", ["state": [["anything-but": ["prefix": "init"]]]], ["state": 1], true),
        .init("prefix list, excluded", ["region": [["anything-but": ["prefix": ["us-", "eu-"]]]]], ["region": "eu-west-1"], false),
        .init("prefix list, other", ["region": [["anything-but": ["prefix": ["us-", "eu-"]]]]], ["region": "ap-south-1"], true),
        .init("suffix, excluded", ["file": [["anything-but": ["suffix": ".png"]]]], ["file": "a.png"], false),
        .init("suffix, other", ["file": [["anything-but": ["suffix": ".png"]]]], ["file": "a.jpg"], true),
        .init(
            "ignore case, excluded", ["state": [["anything-but": ["equals-ignore-case": "Initializing"]]]],
            ["state": "INITIALIZING"], false),
        .init(
            "ignore case, other", ["state": [["anything-but": ["equals-ignore-case": "Initializing"]]]],
            ["state": "running"], true),
        .init(
            "ignore case list", ["state": [["anything-but": ["equals-ignore-case": ["a", "B"]]]]], ["state": "b"], false),
        .init("wildcard, excluded", ["path": [["anything-but": ["wildcard": "*/lib/*"]]]], ["path": "/usr/lib/x.so"], false),
        .init("wildcard, other", ["path": [["anything-but": ["wildcard": "*/lib/*"]]]], ["path": "/usr/bin/x"], true),
        .init("wildcard list", ["path": [["anything-but": ["wildcard": ["*.png", "*.jpg"]]]]], ["path": "a.jpg"], false),
    ]

    @Test(arguments: anythingButCases)
    func anythingBut(_ testCase: PatternMatchCase) throws {
        try testCase.check()
    }

    static let numericCases: [PatternMatchCase] = [
        .init("range, inside", ["c": [["numeric": [">", 0, "<=", 5]]]], ["c": 5], true),
        .init("range, at the open lower bound", ["c": [["numeric": [">", 0, "<=", 5]]]], ["c": 0], false),
        .init("range, above", ["c": [["numeric": [">", 0, "<=", 5]]]], ["c": 5.0001], false),
        .init("range, fraction inside", ["c": [["numeric": [">", 0, "<=", 5]]]], ["c": 0.5], true),
        .init("numbers only", ["c": [["numeric": [">", 0, "<=", 5]]]], ["c": "3"], false),
        .init("missing field", ["c": [["numeric": [">", 0, "<=", 5]]]], ["d": 3], false),
        .init("closed lower bound", ["c": [["numeric": [">=", 1, "<", 2]]]], ["c": 1], true),
        .init("open upper bound", ["c": [["numeric": [">=", 1, "<", 2]]]], ["c": 2], false),
        .init("less than", ["d": [["numeric": ["<", 10]]]], ["d": 9.99], true),
        .init("less than, equal", ["d": [["numeric": ["<", 10]]]], ["d": 10], false),
        .init("at most", ["d": [["numeric": ["<=", 10]]]], ["d": 10], true),
        .init("greater than", ["d": [["numeric": [">", -1.5]]]], ["d": -1], true),
        .init("at least", ["d": [["numeric": [">=", 1]]]], ["d": 0.5], false),
        .init("equals", ["x": [["numeric": ["=", number("3.018e2")]]]], ["x": 301.8], true),
        .init("equals, other", ["x": [["numeric": ["=", number("3.018e2")]]]], ["x": 301], false),
        .init("beyond ±5e9", ["x": [["numeric": [">", 1e10]]]], ["x": 2e10], true),
        .init("array element in range", ["x": [["numeric": [">", 10]]]], ["x": [1, 20]], true),
        .init("booleans are not numbers", ["x": [["numeric": [">=", 0]]]], ["x": true], false),
    ]

    @Test(arguments: numericCases)
    func numeric(_ testCase: PatternMatchCase) throws {
        try testCase.check()
    }

    static let existsCases: [PatternMatchCase] = [
        .init("true: a string", ["c": [["exists": true]]], ["c": "x"], true),
        .init("true: null is a present leaf", ["c": [["exists": true]]], ["c": nil], true),
        .init("true: false is present", ["c": [["exists": true]]], ["c": false], true),
        .init("true: missing", ["c": [["exists": true]]], ["d": 1], false),
        .init("true: an object is not a leaf", ["c": [["exists": true]]], ["c": ["c1": 100]], false),
        .init("true: an empty array holds no leaf", ["c": [["exists": true]]], ["c": []], false),
        .init("true: an array of values", ["c": [["exists": true]]], ["c": [1]], true),
        .init("true: an array of objects holds no leaf", ["c": [["exists": true]]], ["c": [["a": 1]]], false),
        .init("false: missing", ["c": [["exists": false]]], ["d": 1], true),
        .init("false: present", ["c": [["exists": false]]], ["c": "x"], false),
        .init("false: null is present", ["c": [["exists": false]]], ["c": nil], false),
        .init("false: an object is not a leaf", ["detail": ["c": [["exists": false]]]], ["detail": ["c": ["c1": 100]]], true),
        .init("false: an empty array", ["c": [["exists": false]]], ["c": []], true),
        .init("false: parent missing", ["detail": ["c": [["exists": false]]]], ["source": "x"], true),
        .init("false: parent is a string", ["detail": ["c": [["exists": false]]]], ["detail": "text"], true),
        .init("false with a sibling that matches", ["a": ["x"], "c": [["exists": false]]], ["a": "x"], true),
        .init("false with a sibling that does not", ["a": ["x"], "c": [["exists": false]]], ["a": "y"], false),
        .init("absent or a value: absent", ["c": [["exists": false], "x"]], ["d": 1], true),
        .init("absent or a value: the value", ["c": [["exists": false], "x"]], ["c": "x"], true),
        .init("absent or a value: another value", ["c": [["exists": false], "x"]], ["c": "y"], false),
        .init("present or absent", ["c": [["exists": true], ["exists": false]]], ["c": 1], true),
    ]

    @Test(arguments: existsCases)
    func exists(_ testCase: PatternMatchCase) throws {
        try testCase.check()
    }

    static let cidrCases: [PatternMatchCase] = [
        .init("IPv4 inside", ["ip": [["cidr": "10.0.0.0/24"]]], ["ip": "10.0.0.33"], true),
        .init("IPv4 last address", ["ip": [["cidr": "10.0.0.0/24"]]], ["ip": "10.0.0.255"], true),
        .init("IPv4 outside", ["ip": [["cidr": "10.0.0.0/24"]]], ["ip": "10.0.1.1"], false),
        .init("leading zeros are decimal", ["ip": [["cidr": "10.0.0.0/24"]]], ["ip": "010.000.000.010"], true),
        .init("host bits in the block are ignored", ["ip": [["cidr": "10.0.0.5/24"]]], ["ip": "10.0.0.1"], true),
        .init("/0 is everything of the family", ["ip": [["cidr": "0.0.0.0/0"]]], ["ip": "203.0.113.9"], true),
        .init("not an address", ["ip": [["cidr": "10.0.0.0/8"]]], ["ip": "10.0.0.x"], false),
        .init("octet above 255", ["ip": [["cidr": "10.0.0.0/8"]]], ["ip": "10.0.0.256"], false),
        .init("numbers are not addresses", ["ip": [["cidr": "0.0.0.0/0"]]], ["ip": 167_772_161], false),
        .init("IPv6 inside", ["ip": [["cidr": "2001:db8::/32"]]], ["ip": "2001:db8:0:0:1::1"], true),
        .init("IPv6 upper-case hex", ["ip": [["cidr": "2001:db8::/32"]]], ["ip": "2001:DB8::1"], true),
        .init("IPv6 outside", ["ip": [["cidr": "2001:db8::/32"]]], ["ip": "2001:db9::1"], false),
        .init("IPv6 block, IPv4 value", ["ip": [["cidr": "::/0"]]], ["ip": "10.0.0.1"], false),
        .init("IPv4 block, IPv6 value", ["ip": [["cidr": "0.0.0.0/0"]]], ["ip": "::1"], false),
        .init("IPv6 loopback", ["ip": [["cidr": "::/127"]]], ["ip": "::1"], true),
        .init("IPv6 full form", ["ip": [["cidr": "fe80::/10"]]], ["ip": "fe80:0000:0000:0000:0202:b3ff:fe1e:8329"], true),
        .init("IPv6 zone ids are not addresses", ["ip": [["cidr": "fe80::/10"]]], ["ip": "fe80::1%eth0"], false),
    ]

    @Test(arguments: cidrCases)
    func cidr(_ testCase: PatternMatchCase) throws {
        try testCase.check()
    }

    // MARK: Arrays

    static let employees: JSONValue = [
        "employees": [
            ["firstName": "John", "lastName": "Doe"],
            ["firstName": "Anna", "lastName": "Smith"],
            ["firstName": "Peter", "lastName": "Jones"],
        ]
    ]

    static let arraysCases: [PatternMatchCase] = [
        .init("value array: one element matches", ["resources": ["arn:x"]], ["resources": ["arn:y", "arn:x"]], true),
        .init("value array: none matches", ["resources": ["arn:x"]], ["resources": ["arn:y", "arn:z"]], false),
        .init("empty value array", ["resources": ["arn:x"]], ["resources": []], false),
        .init("nested value arrays are flattened", ["n": [3]], ["n": [[1, 2], [3]]], true),
        .init("objects in a value array are not values", ["n": [1]], ["n": [["n": 1]]], false),
        .init("array of objects", ["employees": ["firstName": ["Anna"]]], employees, true),
        .init("fields from one element", ["employees": ["firstName": ["Anna"], "lastName": ["Smith"]]], employees, true),
        .init(
            "fields from different elements do not match", ["employees": ["firstName": ["Anna"], "lastName": ["Jones"]]],
            employees, false),
        .init(
            "multi-level arrays", ["employees": ["firstName": ["Anna"]]],
            [
                "employees": [
                    [["firstName": "John", "lastName": "Doe"], ["firstName": "Anna", "lastName": "Smith"]],
                    [["firstName": "Peter", "lastName": "Jones"]],
                ]
            ], true),
        .init(
            "multi-level arrays keep consistency", ["employees": ["firstName": ["Anna"], "lastName": ["Jones"]]],
            [
                "employees": [
                    [["firstName": "John", "lastName": "Doe"], ["firstName": "Anna", "lastName": "Smith"]],
                    [["firstName": "Peter", "lastName": "Jones"]],
                ]
            ], false),
        .init(
            "consistency in nested arrays", ["a": ["b": ["x": [1], "y": [2]]]],
            ["a": [["b": [["x": 1], ["y": 2]]]]], false),
        .init(
            "nested arrays, one element", ["a": ["b": ["x": [1], "y": [2]]]],
            ["a": [["b": [["x": 0], ["x": 1, "y": 2]]]]], true),
        .init(
            "inner element fixed, outer shared", ["a": ["k": ["v"], "b": ["x": [1]]]],
            ["a": [["k": "v", "b": [["x": 2], ["x": 1]]], ["k": "w"]]], true),
        .init(
            "different arrays are independent", ["a": ["x": [1]], "b": ["y": [2]]],
            ["a": [["x": 0], ["x": 1]], "b": [["y": 2]]], true),
        .init(
            "an operator on an array of objects", ["items": ["qty": [["numeric": [">", 3]]]]],
            ["items": [["qty": 1], ["qty": 4]]], true),
        .init(
            "exists false: held by another element", ["items": ["discount": [["exists": false]]]],
            ["items": [["discount": 1], ["price": 2]]], false),
        .init(
            "exists false: held by no element", ["items": ["discount": [["exists": false]]]],
            ["items": [["price": 1], ["price": 2]]], true),
        .init("exists false: empty array", ["items": ["discount": [["exists": false]]]], ["items": []], true),
        .init(
            "exists false: judged in the matched element", ["items": ["sku": ["A"], "discount": [["exists": false]]]],
            ["items": [["sku": "A"], ["sku": "B", "discount": 5]]], true),
        .init(
            "exists false: the matched element has it", ["items": ["sku": ["A"], "discount": [["exists": false]]]],
            ["items": [["sku": "A", "discount": 5], ["sku": "B"]]], false),
        .init(
            "exists true in an array of objects", ["items": ["discount": [["exists": true]]]],
            ["items": [["price": 1], ["discount": nil]]], true),
    ]

    @Test(arguments: arraysCases)
    func arrays(_ testCase: PatternMatchCase) throws {
        try testCase.check()
    }

    // MARK: $or

    static let orsCases: [PatternMatchCase] = {
        let sourceAndOr: JSONValue = [
            "source": ["aws.cloudwatch"],
            "$or": [["metricName": ["CPUUtilization", "ReadLatency"]], ["namespace": ["AWS/EC2", "AWS/ES"]]],
        ]
        let nested: JSONValue = [
            "source": ["aws.cloudwatch"],
            "$or": [
                ["metricName": ["CPUUtilization"]],
                ["metricType": ["MetricType"], "$or": [["metricId": [1234]], ["spaceId": [1000]]]],
            ],
        ]
        let parallel: JSONValue = [
            "$or": [["metricName": ["CPU"]], ["namespace": ["AWS/EC2"]]],
            "detail": ["$or": [["source": ["aws.cloudwatch"]], ["detail-type": ["Alarm"]]]],
        ]
        let merged: JSONValue = ["a": ["b": [1]], "$or": [["a": ["c": [2]]], ["d": [3]]]]
        let lastWriteWins: JSONValue = ["a": ["1"], "$or": [["a": ["2"]], ["b": ["3"]]]]
        let lastWriteWinsReversed: JSONValue = ["$or": [["a": ["2"]], ["b": ["3"]]], "a": ["1"]]
        let collision: JSONValue = ["a": [1], "$or": [["a": ["b": [2]]], ["c": [3]]]]
        return [
            .init("first alternative", ["$or": [["a": [1]], ["b": [2]]]], ["a": 1], true),
            .init("second alternative", ["$or": [["a": [1]], ["b": [2]]]], ["b": 2], true),
            .init("no alternative", ["$or": [["a": [1]], ["b": [2]]]], ["a": 2, "b": 1], false),
            .init("with a matching sibling", sourceAndOr, ["source": "aws.cloudwatch", "namespace": "AWS/ES"], true),
            .init("sibling differs", sourceAndOr, ["source": "aws.ec2", "namespace": "AWS/ES"], false),
            .init("sibling matches, no alternative", sourceAndOr, ["source": "aws.cloudwatch", "namespace": "x"], false),
            .init("inside an object", ["detail": ["$or": [["x": [1]], ["y": [2]]]]], ["detail": ["y": 2]], true),
            .init("inside an object, no alternative", ["detail": ["$or": [["x": [1]], ["y": [2]]]]], ["y": 2], false),
            .init(
                "nested $or", nested,
                ["source": "aws.cloudwatch", "metricType": "MetricType", "spaceId": 1000], true),
            .init("nested $or, inner fails", nested, ["source": "aws.cloudwatch", "metricType": "MetricType", "spaceId": 1], false),
            .init("parallel $or", parallel, ["namespace": "AWS/EC2", "detail": ["detail-type": "Alarm"]], true),
            .init("parallel $or, one fails", parallel, ["namespace": "AWS/EC2", "detail": ["detail-type": "Other"]], false),
            .init("merged paths share the element", merged, ["a": [["b": 1, "c": 2]]], true),
            .init("merged paths from different elements", merged, ["a": [["b": 1], ["c": 2]]], false),
            .init("merged paths, other alternative", merged, ["a": [["b": 1], ["c": 2]], "d": 3], true),
            .init("a later list replaces an earlier one", lastWriteWins, ["a": "2"], true),
            .init("the replaced list no longer applies", lastWriteWins, ["a": "1"], false),
            .init("the other alternative keeps it", lastWriteWins, ["a": "1", "b": "3"], true),
            .init("order decides which list wins", lastWriteWinsReversed, ["a": "1"], true),
            .init("order decides which list wins, reversed", lastWriteWinsReversed, ["a": "2"], false),
            .init("a value list and an object on one path", collision, ["a": [1, ["b": 2]]], false),
            .init("the other alternative still works", collision, ["a": 1, "c": 3], true),
            .init("$or with exists false", ["$or": [["a": [["exists": false]]], ["b": [1]]]], ["c": 0], true),
            .init("$or with exists false, present", ["$or": [["a": [["exists": false]]], ["b": [1]]]], ["a": 0], false),
        ]
    }()

    @Test(arguments: orsCases)
    func or(_ testCase: PatternMatchCase) throws {
        try testCase.check()
    }

    // MARK: Whole events

    @Test func documentationExample() throws {
        let pattern = try EventPattern(json: [
            "time": [["prefix": "2017-10-02"]],
            "detail": [
                "state": [["anything-but": "initializing"]],
                "c-count": [["numeric": [">", 0, "<=", 5]]],
                "d-count": [["numeric": ["<", 10]]],
                "x-limit": [["anything-but": [100, 200, 300]]],
                "source-ip": [["cidr": "10.0.0.0/8"]],
            ],
        ])
        var event: JSONValue = [
            "version": "0",
            "id": "ddddd4-aaaa-7777-4444-345dd43cc333",
            "detail-type": "EC2 Instance State-change Notification",
            "source": "aws.ec2",
            "time": "2017-10-02T16:24:49Z",
            "region": "us-east-1",
            "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
            "detail": [
                "c-count": 5, "d-count": 3, "x-limit": 301.8, "source-ip": "10.0.0.33",
                "instance-id": "i-000000aaaaaa00000", "state": "running",
            ],
        ]
        #expect(pattern.matches(event))

        guard case .object(var root) = event, case .object(var detail)? = root["detail"] else {
            Issue.record("the event is not an object")
            return
        }
        detail["x-limit"] = 300
        root["detail"] = .object(detail)
        event = .object(root)
        #expect(!pattern.matches(event))
    }

    @Test func patternsCompareByTheirJSON() throws {
        let first = try EventPattern(json: ["a": [1]])
        let same = try EventPattern(json: ["a": [1.0]])
        let other = try EventPattern(json: ["a": [2]])
        #expect(first == same)
        #expect(first != other)
        #expect(Set([first, same, other]).count == 2)
        #expect(first.json == ["a": [1]])
    }
}
