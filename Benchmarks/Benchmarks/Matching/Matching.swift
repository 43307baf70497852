// Throughput of HeraldCore's event matching: pre-parsed events against 1, 100 and 10,000 compiled
// rules, and the cost of compiling 10,000 rules. Run with `swift package benchmark` from Benchmarks/
// (see README.md). Everything here is deterministic: rules and events come from a fixed-seed generator,
// so two runs measure the same work.

import Benchmark
import HeraldCore

/// Not a measurement but a fact about the workload, shown next to the figures: how many of every
/// 1,000 events in the pool match at least one rule.
let matchedEvents = BenchmarkMetric.custom("Events matching a rule (per 1000)", polarity: .prefersLarger, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    // One scaled iteration is one event matched, so the `*` rows of the output read per event:
    // "Time (wall clock) (ns) *" is the time to match one event and "Throughput (# / s)" is events
    // per second. With the `.kilo` scaling factor one sample times 1,000 events and reports their
    // mean, which keeps the clock's own cost (tens of ns) out of the small figures.
    //
    // The last run leaves out the prefix and wildcard rules (1 in 50); the matcher's decision tree
    // splits on prefixes and suffixes too, and the gap between the two 10,000-rule figures is what
    // those rules still cost.
    //
    // The "one match each" runs are the like-for-like comparison across rule counts: every event in
    // the pool is a bank event that matches exactly one rule (rule 0 when there is one rule), so
    // each event does the same verification work whatever the rule count and the difference between
    // the rows is what finding the rule costs. In the mixed pool of the other runs most events name
    // no rule; with one rule three in four fail at the pattern's first field, which makes that row
    // a cheaper workload rather than a baseline.
    let runs: [(ruleCount: Int, mix: RuleCorpus.Mix, pool: RuleCorpus.Pool)] = [
        (1, .mixed, .mixed), (100, .mixed, .mixed), (10_000, .mixed, .mixed), (10_000, .exactOnly, .mixed),
        (1, .mixed, .oneMatchEach), (100, .mixed, .oneMatchEach), (10_000, .mixed, .oneMatchEach),
    ]
    for (ruleCount, mix, pool) in runs {
        let name =
            "Matching: \(ruleCount) rule\(ruleCount == 1 ? "" : "s")" + (mix == .exactOnly ? " (no prefix/wildcard)" : "")
            + (pool == .oneMatchEach ? " (one match each)" : "")
        let configuration = Benchmark.Configuration(
            metrics: [.throughput, .wallClock, .mallocCountTotal, .peakMemoryResident, matchedEvents],
            timeUnits: .nanoseconds,
            warmupIterations: 10,
            scalingFactor: .kilo,
            maxDuration: .seconds(5),
            maxIterations: 100_000
        )
        Benchmark(name, configuration: configuration) { benchmark, fixture in
            for _ in benchmark.scaledIterations {
                blackHole(fixture.matcher.matches(fixture.nextEvent()))
            }
            benchmark.measurement(matchedEvents, fixture.matchedPerThousand)
        } setup: {
            try MatchingFixture(ruleCount: ruleCount, mix: mix, pool: pool)
        }
    }

    // Compiling is measured per whole rule set (scaling factor one): the figure to read is the
    // wall clock of one iteration, i.e. the time to turn 10,000 rule documents into a matcher.
    let compileConfiguration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .microseconds,
        warmupIterations: 1,
        scalingFactor: .one,
        maxDuration: .seconds(5),
        maxIterations: 50
    )

    Benchmark("Compiling: 10000 rules (patterns + matcher)", configuration: compileConfiguration) {
        benchmark, documents in
        for _ in benchmark.scaledIterations {
            var patterns: [EventPattern] = []
            patterns.reserveCapacity(documents.count)
            for document in documents {
                patterns.append(try EventPattern(json: document))
            }
            blackHole(RuleMatcher(patterns: patterns))
        }
    } setup: {
        RuleCorpus.patternDocuments(count: 10_000)
    }

    Benchmark("Compiling: 10000 rules (matcher only)", configuration: compileConfiguration) {
        benchmark, patterns in
        for _ in benchmark.scaledIterations {
            blackHole(RuleMatcher(patterns: patterns))
        }
    } setup: {
        try RuleCorpus.patternDocuments(count: 10_000).map { try EventPattern(json: $0) }
    }
}

/// A compiled matcher over `ruleCount` generated rules, and a pool of events written for it.
final class MatchingFixture {
    /// Events in the pool; a power of two so the cursor can wrap with a mask.
    static let poolSize = 1024

    let matcher: RuleMatcher
    let events: [JSONValue]
    /// How many of every 1,000 events in the pool match at least one rule.
    let matchedPerThousand: Int
    /// The next event's place in the pool, kept across samples so that every event is used.
    private var cursor = 0

    /// The pool's events in turn, round and round.
    @inline(__always)
    func nextEvent() -> JSONValue {
        defer { cursor = (cursor &+ 1) & (Self.poolSize - 1) }
        return events[cursor]
    }

    init(ruleCount: Int, mix: RuleCorpus.Mix, pool: RuleCorpus.Pool) throws {
        let documents = RuleCorpus.patternDocuments(count: ruleCount, mix: mix)
        var patterns: [EventPattern] = []
        patterns.reserveCapacity(documents.count)
        for (index, document) in documents.enumerated() {
            do {
                patterns.append(try EventPattern(json: document))
            } catch {
                throw FixtureError("rule \(index) does not compile: \(error)\n\(document)")
            }
        }
        let matcher = RuleMatcher(patterns: patterns)
        let events: [JSONValue]
        let matching: Int
        switch pool {
        case .mixed:
            events = RuleCorpus.events(count: Self.poolSize, ruleCount: ruleCount, mix: mix)
            // The pool must exercise both outcomes, or the figures describe only a fast path.
            matching = events.count(where: { !matcher.matches($0).isEmpty })
            guard matching > 0, matching < events.count else {
                throw FixtureError("\(matching) of \(events.count) events match \(ruleCount) rules; expected some but not all")
            }
        case .oneMatchEach:
            events = RuleCorpus.matchingEvents(count: Self.poolSize, ruleCount: ruleCount, mix: mix)
            // Like for like: each event must match exactly one rule, the one it was written for.
            for (index, event) in events.enumerated() {
                let found = matcher.matches(event)
                guard found.count == 1, found == patterns.indices.filter({ patterns[$0].matches(event) }) else {
                    throw FixtureError("event \(index) matches rules \(found); expected exactly one\n\(event)")
                }
            }
            matching = events.count
        }
        self.matcher = matcher
        self.events = events
        self.matchedPerThousand = matching * 1000 / events.count
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Rule and event documents shaped like Herald's two running examples: card-fraud alerts in a
/// CloudEvents envelope (`type`, `data`) and airline operations in an EventBridge envelope
/// (`source`, `detail-type`, `detail`), plus a few prefix and wildcard rules.
enum RuleCorpus {
    enum Kind { case bank, airline, prefix, wildcard }

    /// Whether the rule set includes the prefix and wildcard rules.
    enum Mix { case mixed, exactOnly }

    /// Which events to match: the mixed pool of `events(count:ruleCount:mix:)`, or the pool of
    /// `matchingEvents(count:ruleCount:mix:)` in which every event matches exactly one rule.
    enum Pool { case mixed, oneMatchEach }

    /// Rule `index`'s shape: per hundred rules, 49 bank and 49 airline rules and one prefix and
    /// one wildcard rule (`.mixed`), or 50 and 50 (`.exactOnly`).
    static func kind(ofRule index: Int, mix: Mix = .mixed) -> Kind {
        switch (index % 100, mix) {
        case (48, .mixed): .prefix
        case (49, .mixed): .wildcard
        case (let slot, _) where slot.isMultiple(of: 2): .bank
        default: .airline
        }
    }

    /// The pattern documents of rules `0..<count`, as a rule file would give them.
    static func patternDocuments(count: Int, mix: Mix = .mixed) -> [JSONValue] {
        (0..<count).map { patternDocument(forRule: $0, mix: mix) }
    }

    static func patternDocument(forRule index: Int, mix: Mix = .mixed) -> JSONValue {
        switch kind(ofRule: index, mix: mix) {
        case .bank:
            var data: JSONValue = [
                "risk_score": [["numeric": [">=", 0.7]]],
                "country": [["anything-but": ["BR"]]],
            ]
            if index % 3 == 0 {
                // Every third bank rule also looks into a nested object.
                data = [
                    "risk_score": [["numeric": [">=", 0.7]]],
                    "country": [["anything-but": ["BR"]]],
                    "merchant": ["category": ["gambling", "crypto", "money_transfer"]],
                ]
            }
            return [
                "source": ["bank.cards"],
                "type": .array([.string("bank.card.transaction.flagged.\(index)")]),
                "data": data,
            ]
        case .airline:
            let delay: JSONValue =
                index % 4 == 1
                ? [["numeric": [">", 30, "<=", 120]]]
                : [["numeric": [">", 30]]]
            return [
                "source": ["airline.ops"],
                "detail-type": .array([.string("flight.delayed.\(index)")]),
                "detail": [
                    "delay_minutes": delay,
                    "origin": ["GRU", "LIS", "JFK", "FRA"],
                ],
            ]
        case .prefix:
            return [
                "source": ["bank.cards"],
                "type": [["prefix": .string("bank.card.transaction.flagged.\(index)")]],
                "data": ["amount": [["numeric": [">", 10_000]]]],
            ]
        case .wildcard:
            return [
                "source": ["airline.ops"],
                "detail-type": [["wildcard": .string("flight.*.\(index)")]],
                "detail": ["origin": [["prefix": "G"]]],
            ]
        }
    }

    /// `count` events for a set of `ruleCount` rules: half bank, half airline; half of each
    /// name an existing rule of their kind (whose field conditions then hold or not), the rest
    /// name no rule at all.
    static func events(count: Int, ruleCount: Int, mix: Mix = .mixed) -> [JSONValue] {
        var random = SplitMix64(seed: 0x4845_5241_4C44)  // "HERALD"
        let rules = 0..<ruleCount
        let bankRules = rules.filter { [.bank, .prefix].contains(kind(ofRule: $0, mix: mix)) }
        let airlineRules = rules.filter { [.airline, .wildcard].contains(kind(ofRule: $0, mix: mix)) }

        func target(_ candidates: [Int]) -> Int {
            if !candidates.isEmpty, random.next(below: 2) == 0 {
                return candidates[random.next(below: candidates.count)]
            }
            return 1_000_000 + random.next(below: 1_000_000)
        }

        return (0..<count).map { sequence in
            if sequence.isMultiple(of: 2) {
                bankEvent(sequence: sequence, rule: target(bankRules), random: &random)
            } else {
                airlineEvent(sequence: sequence, rule: target(airlineRules), random: &random)
            }
        }
    }

    /// `count` bank events, each written for one bank rule (chosen at random; rule 0 when there is
    /// only one) so that it matches that rule and no other: a flagged type naming the rule, a risk
    /// score of at least 0.7, a country other than BR, a listed merchant category, and an amount of
    /// at most 10,000 so that the prefix rules (whose type prefix some of these types start with)
    /// are candidates that fail on their amount.
    static func matchingEvents(count: Int, ruleCount: Int, mix: Mix = .mixed) -> [JSONValue] {
        var random = SplitMix64(seed: 0x4D41_5443_48)  // "MATCH"
        let bankRules = (0..<ruleCount).filter { kind(ofRule: $0, mix: mix) == .bank }
        let matchingCountries = countries.filter { $0 != "BR" }
        let matchingCategories = ["gambling", "crypto", "money_transfer"]
        return (0..<count).map { sequence in
            let rule = bankRules[random.next(below: bankRules.count)]
            let event = bankEvent(sequence: sequence, rule: rule, random: &random)
            guard case .object(var root) = event, case .object(var data)? = root["data"],
                case .object(var merchant)? = data["merchant"]
            else { return event }
            data["amount"] = .number(JSONNumber(Double(random.next(below: 1_000_000)) / 100))
            data["risk_score"] = .number(JSONNumber(Double(70 + random.next(below: 31)) / 100))
            data["country"] = .string(matchingCountries[random.next(below: matchingCountries.count)])
            merchant["category"] = .string(matchingCategories[random.next(below: matchingCategories.count)])
            data["merchant"] = .object(merchant)
            root["data"] = .object(data)
            return .object(root)
        }
    }

    static let countries = ["PT", "BR", "DE", "US", "FR", "BR", "ES", "GB", "IN", "MX"]
    static let categories = ["grocery", "gambling", "travel", "crypto", "electronics", "money_transfer", "fuel"]
    static let airports = ["LIS", "GRU", "OPO", "JFK", "FRA", "GIG", "MAD", "LHR", "GVA"]

    static func bankEvent(sequence: Int, rule: Int, random: inout SplitMix64) -> JSONValue {
        let amountCents = random.next(below: 2_000_000)
        return [
            "specversion": "1.0",
            "id": .string("evt-\(sequence)"),
            "source": "bank.cards",
            "type": .string("bank.card.transaction.flagged.\(rule)"),
            "time": "2026-11-20T10:15:30Z",
            "datacontenttype": "application/json",
            "data": [
                "transaction_id": .string("tx-\(900_000 + sequence)"),
                "amount": .number(JSONNumber(Double(amountCents) / 100)),
                "currency": "EUR",
                "risk_score": .number(JSONNumber(Double(random.next(below: 101)) / 100)),
                "country": .string(countries[random.next(below: countries.count)]),
                "card": ["last4": "4242", "brand": "visa", "holder_id": .string("cust-\(sequence % 97)")],
                "merchant": [
                    "name": "ACME Online",
                    "category": .string(categories[random.next(below: categories.count)]),
                    "mcc": 5999,
                ],
                "reasons": ["velocity", "geo_mismatch"],
            ],
        ]
    }

    static func airlineEvent(sequence: Int, rule: Int, random: inout SplitMix64) -> JSONValue {
        let kind = random.next(below: 4) == 0 ? "cancelled" : "delayed"
        return [
            "version": "0",
            "id": .string("6a7e8feb-b491-4cf7-a9f1-\(String(100_000_000_000 + sequence))"),
            "source": "airline.ops",
            "detail-type": .string("flight.\(kind).\(rule)"),
            "account": "123456789012",
            "time": "2026-11-20T10:15:30Z",
            "region": "eu-west-1",
            "resources": [],
            "detail": [
                "flight": .string("TP\(1000 + sequence % 900)"),
                "origin": .string(airports[random.next(below: airports.count)]),
                "destination": .string(airports[random.next(below: airports.count)]),
                "scheduled_departure": "2026-11-20T12:40:00Z",
                "delay_minutes": .number(JSONNumber(random.next(below: 181))),
                "passengers": .number(JSONNumber(120 + random.next(below: 120))),
                "gate": "B12",
            ],
        ]
    }
}

/// A small deterministic generator (SplitMix64), so every run builds the same events.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound`.
    mutating func next(below bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}
