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
    let runs: [(ruleCount: Int, mix: RuleCorpus.Mix)] = [(1, .mixed), (100, .mixed), (10_000, .mixed), (10_000, .exactOnly)]
    for (ruleCount, mix) in runs {
        let name =
            "Matching: \(ruleCount) rule\(ruleCount == 1 ? "" : "s")" + (mix == .exactOnly ? " (no prefix/wildcard)" : "")
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
            try MatchingFixture(ruleCount: ruleCount, mix: mix)
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

    init(ruleCount: Int, mix: RuleCorpus.Mix) throws {
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
        let events = RuleCorpus.events(count: Self.poolSize, ruleCount: ruleCount, mix: mix)

        // The pool must exercise both outcomes, or the figures describe only a fast path.
        let matching = events.count(where: { !matcher.matches($0).isEmpty })
        guard matching > 0, matching < events.count else {
            throw FixtureError("\(matching) of \(events.count) events match \(ruleCount) rules; expected some but not all")
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
