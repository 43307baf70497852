import Testing

@testable import HeraldCore

@Suite("RuleMatcher")
struct RuleMatcherTests {
    private static func matcher(_ patterns: [JSONValue]) throws -> RuleMatcher {
        RuleMatcher(patterns: try patterns.map { try EventPattern(json: $0) })
    }

    @Test func noPatternsMatchNothing() {
        let matcher = RuleMatcher(patterns: [])
        #expect(matcher.count == 0)
        #expect(matcher.matches(["source": "a"]) == [])
    }

    @Test func findsEveryMatchingPatternInAscendingOrder() throws {
        let matcher = try Self.matcher([
            ["source": ["a"]],  // 0
            ["source": ["b"]],  // 1
            ["detail": ["state": [["prefix": "run"]]]],  // 2: no exact field, always checked
            ["source": ["a"], "detail": ["state": ["running"]]],  // 3
            ["$or": [["source": ["b"]], ["detail": ["kind": ["x"]]]]],  // 4: one alternative per index entry
            ["detail": ["state": [["anything-but": "running"]]]],  // 5: always checked
            ["source": ["a", "b"]],  // 6
        ])
        #expect(matcher.matches(["source": "a", "detail": ["state": "running"]]) == [0, 2, 3, 6])
        #expect(matcher.matches(["source": "b", "detail": ["state": "stopped"]]) == [1, 4, 5, 6])
        #expect(matcher.matches(["source": "c", "detail": ["kind": "x", "state": "runner"]]) == [2, 4, 5])
        #expect(matcher.matches(["source": "c"]) == [])
        // 2 and 5 have no exact field; 4 has an alternative whose only exact field rules out too little.
        #expect(matcher.alwaysCheckedCount == 3)
        #expect(matcher.indexedPaths == [["source"]])
    }

    @Test func identicalPatternsAreBothReported() throws {
        let matcher = try Self.matcher([["a": [1]], ["b": [1]], ["a": [1]]])
        #expect(matcher.matches(["a": 1]) == [0, 2])
    }

    @Test func indexedValuesCompareAsTheyMatch() throws {
        let matcher = try Self.matcher([["n": [300]], ["n": ["300"]], ["n": [0]], ["flag": [true]], ["v": [nil]]])
        #expect(matcher.matches(["n": number("3e2")]) == [0])
        #expect(matcher.matches(["n": "300"]) == [1])
        #expect(matcher.matches(["n": number("-0")]) == [2])
        #expect(matcher.matches(["flag": true, "v": nil]) == [3, 4])
        #expect(matcher.matches(["flag": "true", "v": "null"]) == [])
    }

    @Test func looksThroughArraysOnTheIndexedPath() throws {
        let matcher = try Self.matcher([
            ["items": ["sku": ["A"], "qty": [["numeric": [">", 1]]]]],
            ["tags": ["vip"]],
        ])
        #expect(matcher.matches(["items": [["sku": "B", "qty": 5], ["sku": "A", "qty": 2]], "tags": [["x"], ["vip"]]]) == [0, 1])
        // The index finds pattern 0 as a candidate, but array consistency still rejects it.
        #expect(matcher.matches(["items": [["sku": "B", "qty": 5], ["sku": "A", "qty": 1]]]) == [])
    }

    @Test func fieldsThatMayBeAbsentAreNotIndexed() throws {
        let matcher = try Self.matcher([
            ["a": [["exists": false], "x"]],  // matches without a: must be checked for every event
            ["b": ["y1"], "c": [["exists": false]]],
            ["b": ["y2"], "c": [["exists": false]]],
            ["b": ["y3"], "c": [["exists": false]]],
        ])
        #expect(matcher.indexedPaths == [["b"]])
        #expect(matcher.alwaysCheckedCount == 1)
        #expect(matcher.matches(["b": "y1"]) == [0, 1])
        #expect(matcher.matches(["a": "z", "b": "y2", "c": 1]) == [])
        #expect(matcher.matches(["a": "x", "b": "y3"]) == [0, 3])
    }

    @Test func unsatisfiablePatternsNeverMatch() throws {
        let matcher = try Self.matcher([["a": [1], "$or": [["a": ["b": [2]]], ["a": ["c": [3]]]]]])
        #expect(matcher.matches(["a": 1]) == [])
        #expect(matcher.matches(["a": [1, ["b": 2]]]) == [])
        #expect(matcher.alwaysCheckedCount == 0)
    }

    @Test func indexesTheSelectiveSharedPath() throws {
        // Every pattern names the same source, but each its own detail-type: the index must use
        // detail-type, or every event would check every pattern.
        let patterns: [JSONValue] = (0..<200).map { ["source": ["shop"], "detail-type": .array([.string("Type\($0)")])] }
        let matcher = try Self.matcher(patterns)
        #expect(matcher.indexedPaths == [["detail-type"]])
        #expect(matcher.matches(["source": "shop", "detail-type": "Type42"]) == [42])
    }

    @Test func splitsOnPrefixesAndSuffixes() throws {
        // Rules with no exact field to split on, only the start of `type` or the end of `name`.
        var patterns: [JSONValue] = []
        for i in 0..<40 { patterns.append(["type": [["prefix": .string("order.\(i).")]], "amount": [["numeric": [">", 10]]]]) }
        for i in 0..<40 { patterns.append(["name": [["wildcard": .string("*-\(i)")]]]) }
        let matcher = try Self.matcher(patterns)
        #expect(matcher.alwaysCheckedCount == 0)
        #expect(matcher.indexedPaths == [["name"], ["type"]])
        #expect(matcher.matches(["type": "order.7.created", "amount": 11, "name": "job-12"]) == [7, 52])
        #expect(matcher.matches(["type": "order.7", "amount": 11, "name": "job-12x"]) == [])
        #expect(matcher.matches(["type": ["x", "order.39.done"], "amount": 50, "name": 12]) == [39])
    }

    // MARK: Same answers as brute force

    @Test func agreesWithBruteForceOnTenThousandRandomRules() throws {
        var random = SeededGenerator(seed: 0x4845_5241_4C44)  // "HERALD"
        let patterns = try (0..<10_000).map { _ in try EventPattern(json: RandomPatterns.pattern(using: &random)) }
        let matcher = RuleMatcher(patterns: patterns)
        #expect(matcher.count == 10_000)
        #expect(matcher.alwaysCheckedCount < 1_000, "most random rules have an exact field to index")

        var totalMatches = 0
        var eventsWithSeveralMatches = 0
        for _ in 0..<150 {
            let event = RandomPatterns.event(using: &random)
            let expected = patterns.indices.filter { patterns[$0].matches(event) }
            let actual = matcher.matches(event)
            #expect(actual == expected)
            totalMatches += expected.count
            if expected.count > 1 { eventsWithSeveralMatches += 1 }
        }
        // The property only means something if events actually match rules.
        #expect(totalMatches > 150)
        #expect(eventsWithSeveralMatches > 10)
    }

    /// The tree proves top-level fields (exact values, plain prefixes and suffixes) and verifies
    /// only what is left, sharing equal leftovers between rules. Rules and events here are drawn
    /// to hit the edges of that: canonically equivalent but different strings, 0 and -0, strings
    /// against numbers, prefix/suffix/wildcard fields mixed with exact ones, arrays at the top and
    /// in nested objects, events that are arrays or scalars, and many rules that differ only in
    /// the proven field.
    @Test(arguments: [1 as UInt64, 2, 3, 4])
    func provenFieldsAgreeWithBruteForce(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let patterns = try (0..<2_000).map { _ in try EventPattern(json: ProofPatterns.pattern(using: &random)) }
        let matcher = RuleMatcher(patterns: patterns)
        var totalMatches = 0
        for _ in 0..<400 {
            let event = ProofPatterns.event(using: &random)
            let expected = patterns.indices.filter { patterns[$0].matches(event) }
            let actual = matcher.matches(event)
            #expect(actual == expected, "event: \(event)")
            totalMatches += expected.count
        }
        #expect(totalMatches > 400, "events must actually match rules for the comparison to mean something")
    }
}

/// Random rules and events for `provenFieldsAgreeWithBruteForce`.
enum ProofPatterns {
    /// "é" precomposed and decomposed: equal as Swift strings, different bytes (EventBridge: different).
    static let names = ["a", "b", "c", "\u{E9}", "e\u{301}", "ab", "abc", "K", "\u{212A}"]
    static let numbers: [JSONValue] = [0, 1, 2, number("-0"), number("1e0"), "0", "1"]

    static func value(_ random: inout SeededGenerator) -> JSONValue {
        switch Int.random(in: 0..<10, using: &random) {
        case 0..<5: .string(pick(names, &random))
        case 5..<8: pick(numbers, &random)
        case 8: .bool(Bool.random(using: &random))
        default: nil
        }
    }

    static func scalarOrArray(_ random: inout SeededGenerator) -> JSONValue {
        switch Int.random(in: 0..<8, using: &random) {
        case 0: .array((0..<Int.random(in: 0...3, using: &random)).map { _ in value(&random) })
        case 1: ["x": value(&random)]
        default: value(&random)
        }
    }

    static func eventObject(_ random: inout SeededGenerator, depth: Int) -> JSONValue {
        var object = JSONObject()
        for key in ["t", "u", "v", "w"] where Bool.random(using: &random) || key == "t" {
            object[key] = scalarOrArray(&random)
        }
        if depth < 1, Int.random(in: 0..<3, using: &random) == 0 {
            let nested = eventObject(&random, depth: depth + 1)
            object["n"] = Bool.random(using: &random) ? nested : .array([nested, eventObject(&random, depth: depth + 1)])
        }
        return .object(object)
    }

    static func event(using random: inout SeededGenerator) -> JSONValue {
        switch Int.random(in: 0..<20, using: &random) {
        case 0: .array([eventObject(&random, depth: 0), eventObject(&random, depth: 0)])
        case 1: value(&random)
        default: eventObject(&random, depth: 0)
        }
    }

    static func exactList(_ random: inout SeededGenerator) -> JSONValue {
        .array((0..<Int.random(in: 1...2, using: &random)).map { _ in value(&random) })
    }

    static func field(_ random: inout SeededGenerator) -> JSONValue {
        let name = pick(names, &random)
        return switch Int.random(in: 0..<12, using: &random) {
        case 0..<6: exactList(&random)
        case 6: [["prefix": .string(name)]]
        case 7: [["suffix": .string(name)]]
        case 8: [["prefix": .string(name)], .string(pick(names, &random))]
        case 9: [["wildcard": .string("*\(name)")]]
        case 10: [["anything-but": .string(name)]]
        default: [["exists": .bool(Bool.random(using: &random))]]
        }
    }

    static func pattern(using random: inout SeededGenerator) -> JSONValue {
        var root = JSONObject()
        // Many rules share everything but `t`, so leftovers are shared between them.
        root["t"] = field(&random)
        if Int.random(in: 0..<3, using: &random) > 0 { root["u"] = Bool.random(using: &random) ? exactList(&random) : field(&random) }
        if Bool.random(using: &random) { root["v"] = [["numeric": [">=", 1]]] }
        if Int.random(in: 0..<4, using: &random) == 0 {
            root["n"] = ["t": field(&random), "u": exactList(&random)]
        }
        if Int.random(in: 0..<8, using: &random) == 0 {
            root["$or"] = [["w": exactList(&random)], ["x": exactList(&random)]]
        }
        return .object(root)
    }

    private static func pick<T>(_ values: [T], _ random: inout SeededGenerator) -> T {
        values[Int.random(in: 0..<values.count, using: &random)]
    }
}


/// Random events and patterns over one small vocabulary, so that they often meet.
enum RandomPatterns {
    static let sources = ["app.orders", "app.billing", "app.users", "app.mail", "app.audit"]
    static let detailTypes = (0..<300).map { "Type\($0)" }
    static let kinds = (0..<40).map { "kind-\($0)" }
    static let tags = ["red", "green", "blue", "urgent", "low", "vip", "eu", "us", "beta", "new"]
    static let skus = (0..<25).map { "SKU-\($0)" }
    static let regions = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-south-1"]

    static func event(using random: inout SeededGenerator) -> JSONValue {
        var root = JSONObject()
        if chance(0.9, &random) { root["source"] = .string(pick(sources, &random)) }
        if chance(0.9, &random) { root["detail-type"] = .string(pick(detailTypes.prefix(60), &random)) }
        if chance(0.7, &random) { root["region"] = .string(pick(regions, &random)) }
        if chance(0.9, &random) {
            var detail = JSONObject()
            if chance(0.8, &random) {
                let kind = pick(kinds.prefix(10), &random)
                detail["kind"] = .string(chance(0.1, &random) ? kind.uppercased() : kind)
            }
            if chance(0.7, &random) {
                let count = Int.random(in: 0...20, using: &random)
                detail["count"] = chance(0.1, &random) ? .string(String(count)) : .number(JSONNumber(count))
            }
            if chance(0.5, &random) {
                detail["tags"] = .array((0..<Int.random(in: 0...3, using: &random)).map { _ in .string(pick(tags, &random)) })
            }
            if chance(0.4, &random) {
                detail["items"] = .array(
                    (0..<Int.random(in: 0...3, using: &random)).map { _ in
                        var item = JSONObject()
                        item["sku"] = .string(pick(skus.prefix(8), &random))
                        item["qty"] = .number(JSONNumber(Int.random(in: 0...5, using: &random)))
                        if chance(0.3, &random) { item["discount"] = .number(JSONNumber(Int.random(in: 1...3, using: &random))) }
                        return .object(item)
                    })
            }
            if chance(0.5, &random) {
                let flags: [JSONValue] = [true, false, nil]
                detail["flag"] = pick(flags, &random)
            }
            if chance(0.3, &random) {
                detail["ip"] = .string("10.0.\(Int.random(in: 0...3, using: &random)).\(Int.random(in: 0...255, using: &random))")
            }
            root["detail"] = .object(detail)
        }
        return .object(root)
    }

    static func pattern(using random: inout SeededGenerator) -> JSONValue {
        var root = JSONObject()
        var detail = JSONObject()
        if chance(0.4, &random) { root["source"] = strings(sources, upTo: 2, &random) }
        if chance(0.6, &random) { root["detail-type"] = strings(detailTypes.prefix(60), upTo: 3, &random) }
        if chance(0.2, &random) { root["region"] = regionConstraint(&random) }
        if chance(0.35, &random) { detail["kind"] = kindConstraint(&random) }
        if chance(0.25, &random) { detail["count"] = countConstraint(&random) }
        if chance(0.15, &random) { detail["tags"] = strings(tags, upTo: 2, &random) }
        if chance(0.15, &random) {
            var item = JSONObject()
            item["sku"] = strings(skus.prefix(8), upTo: 2, &random)
            if chance(0.5, &random) { item["qty"] = [["numeric": [">=", .number(JSONNumber(Int.random(in: 0...4, using: &random)))]]] }
            if chance(0.3, &random) { item["discount"] = [["exists": .bool(chance(0.5, &random))]] }
            detail["items"] = .object(item)
        }
        if chance(0.1, &random) {
            let flags: [JSONValue] = [[true], [nil], [["exists": false]], [false, nil]]
            detail["flag"] = pick(flags, &random)
        }
        if chance(0.05, &random) { detail["ip"] = [["cidr": .string("10.0.\(Int.random(in: 0...3, using: &random)).0/24")]] }
        if chance(0.15, &random) {
            detail["$or"] = [
                ["kind": kindConstraint(&random)],
                ["count": countConstraint(&random), "tags": strings(tags, upTo: 1, &random)],
            ]
        }
        if chance(0.05, &random) {
            root["$or"] = [["source": strings(sources, upTo: 1, &random)], ["region": strings(regions, upTo: 1, &random)]]
        }
        if !detail.isEmpty { root["detail"] = .object(detail) }
        if root.isEmpty { root["source"] = strings(sources, upTo: 1, &random) }
        return .object(root)
    }

    private static func kindConstraint(_ random: inout SeededGenerator) -> JSONValue {
        switch Int.random(in: 0..<10, using: &random) {
        case 0: [["anything-but": strings(kinds.prefix(10), upTo: 3, &random)]]
        case 1: [["equals-ignore-case": .string(pick(kinds.prefix(10), &random))]]
        case 2: [["wildcard": .string("kind-*\(Int.random(in: 0...9, using: &random))")]]
        default: strings(kinds.prefix(10), upTo: 2, &random)
        }
    }

    private static func regionConstraint(_ random: inout SeededGenerator) -> JSONValue {
        switch Int.random(in: 0..<5, using: &random) {
        case 0: [["prefix": .string(pick(["us-", "eu-", "ap-", "us-east-", "eu-west-"], &random))]]
        case 1: [["suffix": .string(pick(["-1", "-2", "east-1", "west-2"], &random))]]
        case 2: [["wildcard": .string(pick(["us-*-1", "*-2", "eu-*", "*central*"], &random))]]
        case 3: [["prefix": .string(pick(["us-", "eu-"], &random))], .string(pick(regions, &random))]
        default: strings(regions, upTo: 2, &random)
        }
    }

    private static func countConstraint(_ random: inout SeededGenerator) -> JSONValue {
        let low = Int.random(in: 0...15, using: &random)
        return switch Int.random(in: 0..<4, using: &random) {
        case 0: [["numeric": [">", .number(JSONNumber(low)), "<=", .number(JSONNumber(low + 5))]]]
        case 1: [["exists": true]]
        default: [.number(JSONNumber(low)), .number(JSONNumber(low + 1))]
        }
    }

    private static func strings<C: Collection>(_ values: C, upTo count: Int, _ random: inout SeededGenerator) -> JSONValue
    where C.Element == String {
        .array((0..<Int.random(in: 1...count, using: &random)).map { _ in .string(pick(values, &random)) })
    }

    private static func pick<C: Collection>(_ values: C, _ random: inout SeededGenerator) -> C.Element {
        let offset = Int.random(in: 0..<values.count, using: &random)
        return values[values.index(values.startIndex, offsetBy: offset)]
    }

    private static func chance(_ probability: Double, _ random: inout SeededGenerator) -> Bool {
        Double.random(in: 0..<1, using: &random) < probability
    }
}
