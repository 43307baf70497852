/// Finds every pattern, out of many, that an event matches — at a cost that barely grows with the
/// number of patterns.
///
/// ## How
/// Most patterns pin some fields to exact values (`"detail-type": ["OrderPlaced"]`), or at least
/// to a prefix or suffix (`{"prefix": "order."}`, `{"wildcard": "flight.*.42"}`). The matcher
/// builds a small decision tree over such fields, in the style of aws/event-ruler, so an event only
/// ever looks at fields and values that can still match:
///
/// ```
/// detail-type ─┬─ "OrderPlaced" ──→ source ─┬─ "shop"    ──→ verify #12
///              │                            └─ "billing" ──→ verify #40, #41
///              ├─ "OrderShipped" ─→ verify #7
///              └─ (no exact detail-type) ──→ detail-type ends with ─┬─ ".42" ──→ verify #3
///                                                                   └─ …
/// ```
///
/// Every `$or`-alternative of every pattern is placed in the tree by the fields it cannot match
/// without (not a field that may be absent, nor one whose operator accepts other values:
/// `anything-but`, `numeric`, …). A node splits its alternatives on the field that separates them
/// best — many alternatives constrain it, with many different values — and stops when no split
/// would save work. For an event, the matcher reads the value(s) at each visited node's field,
/// follows the branches they select plus the "not constrained here" branch, and finally runs the
/// full `EventPattern.matches` on the patterns collected. Patterns with nothing to split on end up
/// on the path every event takes.
public struct RuleMatcher: Sendable {
    /// Each pattern's alternatives (kept apart from `EventPattern` so verifying one copies nothing).
    private let branches: [[PatternNode]]
    private let root: DecisionNode
    /// The event paths the tree looks up (sorted), for tests and diagnostics.
    let indexedPaths: [[String]]
    /// How many patterns every event verifies because nothing in the tree can rule them out.
    let alwaysCheckedCount: Int

    public init(patterns: [EventPattern]) {
        self.branches = patterns.map(\.branches)
        var alternatives: [DecisionNode.Alternative] = []
        for (id, pattern) in patterns.enumerated() {
            for branch in pattern.branches {
                var alternative = DecisionNode.Alternative(pattern: id)
                Self.collectRequirements(branch, path: [], into: &alternative)
                alternatives.append(alternative)
            }
        }
        var builder = DecisionNode.Builder(alternatives: alternatives)
        root = builder.node(for: Array(alternatives.indices), excluding: [])
        indexedPaths = builder.usedPaths.sorted { $0.lexicographicallyPrecedes($1) }
        var alwaysChecked = Set<Int>()
        var node: DecisionNode? = root
        while let current = node {
            alwaysChecked.formUnion(current.patterns)
            node = current.others
        }
        alwaysCheckedCount = alwaysChecked.count
    }

    /// The number of patterns.
    public var count: Int { branches.count }

    /// Indexes (into `patterns`) of every pattern the event matches, ascending.
    public func matches(_ event: JSONValue) -> [Int] {
        var candidates: [Int] = []
        root.collect(from: event, into: &candidates)
        guard !candidates.isEmpty else { return [] }
        candidates.sort()
        var result: [Int] = []
        var previous = -1
        for id in candidates where id != previous {
            previous = id
            for branch in branches[id] where branch.evaluate(event) != 0 {
                result.append(id)
                break
            }
        }
        return result
    }

    /// Records the fields an alternative cannot match without, and what they must hold.
    private static func collectRequirements(
        _ node: PatternNode, path: [String], into alternative: inout DecisionNode.Alternative
    ) {
        for (key, child) in zip(node.keys, node.children) {
            switch child {
            case .leaf(let leaf):
                let fieldPath = path + [key]
                if let keys = leaf.indexKeys {
                    // An exact split on this field always beats an affix split on it.
                    alternative.requirements[DecisionNode.Split(path: fieldPath, kind: .exact)] =
                        keys.map(DecisionNode.Value.exact)
                    continue
                }
                if let prefixes = leaf.requiredPrefixes {
                    alternative.requirements[DecisionNode.Split(path: fieldPath, kind: .prefix)] =
                        prefixes.map(DecisionNode.Value.affix)
                }
                if let suffixes = leaf.requiredSuffixes {
                    alternative.requirements[DecisionNode.Split(path: fieldPath, kind: .suffix)] =
                        suffixes.map(DecisionNode.Value.affix)
                }
            case .object(let nested):
                // A level that can match entirely by absence does not need its fields.
                if !nested.canBeAbsent { collectRequirements(nested, path: path + [key], into: &alternative) }
            }
        }
    }
}

/// One node of the `RuleMatcher` tree: patterns to verify when an event gets here, and optionally
/// a field whose value (exactly, or its start or end) picks the children to continue with.
private final class DecisionNode: Sendable {
    enum Kind: Hashable {
        case exact, prefix, suffix
    }

    /// A field and how its value is used to choose children.
    struct Split: Hashable {
        var path: [String]
        var kind: Kind
    }

    /// What an alternative needs at a split: one of its exact values, or one of its affixes.
    enum Value: Hashable {
        case exact(IndexKey)
        case affix([UInt8])
    }

    /// A `$or`-alternative of a pattern and the values each of its required fields needs.
    struct Alternative {
        var pattern: Int
        var requirements: [Split: [Value]] = [:]
    }

    /// Pattern ids to verify (ascending), for the alternatives that stop here.
    let patterns: [Int]
    /// The field to split on; nil for a leaf.
    let split: Split?
    let exactChildren: [IndexKey: DecisionNode]
    let affixChildren: AffixTable
    /// Where the alternatives that do not constrain `split` continue.
    let others: DecisionNode?

    init(
        patterns: [Int], split: Split?, exactChildren: [IndexKey: DecisionNode] = [:],
        affixChildren: AffixTable = AffixTable(entries: []), others: DecisionNode? = nil
    ) {
        self.patterns = patterns
        self.split = split
        self.exactChildren = exactChildren
        self.affixChildren = affixChildren
        self.others = others
    }

    func collect(from event: JSONValue, into candidates: inout [Int]) {
        candidates.append(contentsOf: patterns)
        guard let split else { return }
        // An array may hold a value twice, or two values may select one child: each child is
        // visited once. Most fields hold one value, so the list of visited children is only
        // allocated for a second one.
        var first: DecisionNode?
        var more: [DecisionNode] = []
        func visit(_ child: DecisionNode) {
            if let first {
                guard child !== first, !more.contains(where: { $0 === child }) else { return }
                more.append(child)
            } else {
                first = child
            }
            child.collect(from: event, into: &candidates)
        }
        Self.forEachScalar(at: split.path[...], in: event) { value in
            switch split.kind {
            case .exact:
                if let key = IndexKey(value), let child = exactChildren[key] { visit(child) }
            case .prefix, .suffix:
                guard case .string(let string) = value else { return }
                affixChildren.forEachMatch(of: string, atEnd: split.kind == .suffix, visit)
            }
        }
        others?.collect(from: event, into: &candidates)
    }

    /// Calls `body` on each scalar at `path` in `value`, looking through arrays on the way
    /// (as matching does).
    private static func forEachScalar(at path: ArraySlice<String>, in value: JSONValue, _ body: (JSONValue) -> Void) {
        switch value {
        case .array(let elements):
            for element in elements { forEachScalar(at: path, in: element, body) }
        case .object(let object):
            guard let key = path.first, let child = object.lookup(key) else { return }
            forEachScalar(at: path.dropFirst(), in: child, body)
        default:
            if path.isEmpty { body(value) }
        }
    }

    /// Children keyed by a prefix or suffix: the value's first (or last) bytes are looked up once
    /// per distinct affix length.
    struct AffixTable: Sendable {
        struct Entry: Sendable {
            var bytes: [UInt8]
            var node: DecisionNode
        }

        private let lengths: [Int]
        private let buckets: [Int: [Entry]]

        init(entries: [Entry]) {
            lengths = Set(entries.map(\.bytes.count)).sorted()
            var buckets: [Int: [Entry]] = [:]
            for entry in entries {
                buckets[entry.bytes.withUnsafeBufferPointer { Self.hash($0[...]) }, default: []].append(entry)
            }
            self.buckets = buckets
        }

        func forEachMatch(of value: String, atEnd: Bool, _ body: (DecisionNode) -> Void) {
            CaseInsensitiveText.withBytes(of: value) { bytes in
                for length in lengths {
                    guard length <= bytes.count else { return }
                    let slice = atEnd ? bytes[(bytes.count - length)...] : bytes[..<length]
                    guard let bucket = buckets[Self.hash(slice)] else { continue }
                    for entry in bucket where entry.bytes.elementsEqual(slice) {
                        body(entry.node)
                    }
                }
            }
        }

        private static func hash(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Int {
            var hasher = Hasher()
            hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes)))
            return hasher.finalize()
        }
    }

    /// Builds the tree top-down.
    struct Builder {
        /// What one event-side lookup costs, in units of one pattern verification. A split must
        /// save more verifications than this (per distinct affix length, for an affix split).
        static let lookupCost = 0.5

        let alternatives: [Alternative]
        private(set) var usedPaths: Set<[String]> = []

        init(alternatives: [Alternative]) {
            self.alternatives = alternatives
        }

        mutating func node(for members: [Int], excluding excluded: Set<Split>) -> DecisionNode {
            guard members.count > 1, let split = bestSplit(of: members, excluding: excluded) else {
                return leaf(members)
            }
            usedPaths.insert(split.path)
            var buckets: [Value: [Int]] = [:]
            var rest: [Int] = []
            for member in members {
                if let values = alternatives[member].requirements[split] {
                    for value in values where buckets[value]?.last != member { buckets[value, default: []].append(member) }
                } else {
                    rest.append(member)
                }
            }
            let deeper = excluded.union([split])
            var exactChildren: [IndexKey: DecisionNode] = [:]
            var affixEntries: [AffixTable.Entry] = []
            for (value, bucket) in buckets {
                let child = node(for: bucket, excluding: deeper)
                switch value {
                case .exact(let key): exactChildren[key] = child
                case .affix(let bytes): affixEntries.append(AffixTable.Entry(bytes: bytes, node: child))
                }
            }
            let others = rest.isEmpty ? nil : node(for: rest, excluding: deeper)
            return DecisionNode(
                patterns: [], split: split, exactChildren: exactChildren,
                affixChildren: AffixTable(entries: affixEntries), others: others)
        }

        private func leaf(_ members: [Int]) -> DecisionNode {
            DecisionNode(patterns: Set(members.map { alternatives[$0].pattern }).sorted(), split: nil)
        }

        /// The split that rules out the most verifications for a typical event: `count` members
        /// constrain the field, spread over `distinct` values, so an event carrying one of them
        /// still verifies about `count / distinct` and skips the rest.
        private func bestSplit(of members: [Int], excluding excluded: Set<Split>) -> Split? {
            var counts: [Split: Int] = [:]
            var values: [Split: Set<Value>] = [:]
            for member in members {
                for (split, needed) in alternatives[member].requirements where !excluded.contains(split) {
                    counts[split, default: 0] += 1
                    values[split, default: []].formUnion(needed)
                }
            }
            var best: (split: Split, saving: Double)?
            for (split, count) in counts {
                let distinct = values[split] ?? []
                var cost = Self.lookupCost
                if split.kind != .exact {
                    let lengths = Set(distinct.map { value in if case .affix(let bytes) = value { bytes.count } else { 0 } })
                    cost *= Double(lengths.count)
                }
                let saving = Double(count) * (1 - 1 / Double(max(1, distinct.count))) - cost
                guard saving > 0 else { continue }
                if let current = best {
                    // Ties go to the first in a fixed order, so the tree is reproducible.
                    if saving < current.saving || (saving == current.saving && !Self.precedes(split, current.split)) {
                        continue
                    }
                }
                best = (split, saving)
            }
            return best?.split
        }

        private static func precedes(_ a: Split, _ b: Split) -> Bool {
            if a.path != b.path { return a.path.lexicographicallyPrecedes(b.path) }
            return rank(a.kind) < rank(b.kind)
        }

        private static func rank(_ kind: Kind) -> Int {
            switch kind {
            case .exact: 0
            case .prefix: 1
            case .suffix: 2
            }
        }
    }
}
