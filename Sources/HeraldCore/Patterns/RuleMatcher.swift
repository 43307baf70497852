/// Finds every pattern, out of many, that an event matches — at a cost that barely grows with the
/// number of patterns.
///
/// ## How
/// Most patterns pin some fields to exact values (`"detail-type": ["OrderPlaced"]`). The matcher
/// builds a small decision tree over such fields, in the style of aws/event-ruler, so an event only
/// ever looks at fields and values that can still match:
///
/// ```
/// detail-type ─┬─ "OrderPlaced" ──→ source ─┬─ "shop"    ──→ verify #12
///              │                            └─ "billing" ──→ verify #40, #41
///              ├─ "OrderShipped" ─→ verify #7
///              └─ (no exact detail-type) ──→ verify #3 (e.g. only a prefix)
/// ```
///
/// Every `$or`-alternative of every pattern is placed in the tree by the exact fields it cannot
/// match without (a field that may be absent, or that uses an operator, is not one of them). A node
/// splits its alternatives on the field that separates them best — many alternatives constrain it,
/// with many different values — and stops when no split would save work. For an event, the
/// matcher reads the value(s) at each visited node's field, follows the matching branches plus the
/// "no exact value here" branch, and finally runs the full `EventPattern.matches` on the patterns
/// collected. Patterns with no exact field at all end up on the path every event takes.
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
                var exactFields: [[String]: [IndexKey]] = [:]
                Self.collectExactFields(branch, path: []) { path, keys in exactFields[path] = keys }
                alternatives.append(DecisionNode.Alternative(pattern: id, exactFields: exactFields))
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

    /// Calls `body` with every exact field an alternative cannot match without, and its values.
    private static func collectExactFields(_ node: PatternNode, path: [String], _ body: ([String], [IndexKey]) -> Void) {
        for (key, child) in zip(node.keys, node.children) {
            switch child {
            case .leaf(let leaf):
                if let keys = leaf.indexKeys { body(path + [key], keys) }
            case .object(let nested):
                // A level that can match entirely by absence does not need its exact fields.
                if !nested.canBeAbsent { collectExactFields(nested, path: path + [key], body) }
            }
        }
    }
}

/// One node of the `RuleMatcher` tree: patterns to verify when an event gets here, and optionally
/// a field whose value picks the child to continue with.
private final class DecisionNode: Sendable {
    /// A `$or`-alternative of a pattern, with the exact values each of its required fields needs.
    struct Alternative {
        var pattern: Int
        var exactFields: [[String]: [IndexKey]]
    }

    /// Pattern ids to verify (ascending), for the alternatives that stop here.
    let patterns: [Int]
    /// The field to split on; empty for a leaf.
    let path: [String]
    let children: [IndexKey: DecisionNode]
    /// Where the alternatives that do not pin `path` continue.
    let others: DecisionNode?

    init(patterns: [Int], path: [String], children: [IndexKey: DecisionNode], others: DecisionNode?) {
        self.patterns = patterns
        self.path = path
        self.children = children
        self.others = others
    }

    func collect(from event: JSONValue, into candidates: inout [Int]) {
        candidates.append(contentsOf: patterns)
        guard !path.isEmpty else { return }
        // An array may repeat a value; each child is visited once. Most paths hold one value, so
        // the first key is kept apart and the list is only allocated for a second one.
        var first: IndexKey?
        var more: [IndexKey] = []
        Self.forEachScalar(at: path[...], in: event) { value in
            guard let key = IndexKey(value) else { return }
            if let first {
                guard key != first, !more.contains(key) else { return }
                more.append(key)
            } else {
                first = key
            }
            children[key]?.collect(from: event, into: &candidates)
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

    /// Builds the tree top-down.
    struct Builder {
        /// What one event-side lookup costs, in units of one pattern verification. A split must
        /// save more verifications than this.
        static let lookupCost = 0.5

        let alternatives: [Alternative]
        private(set) var usedPaths: Set<[String]> = []

        init(alternatives: [Alternative]) {
            self.alternatives = alternatives
        }

        mutating func node(for members: [Int], excluding excluded: Set<[String]>) -> DecisionNode {
            guard members.count > 1, let path = bestSplit(of: members, excluding: excluded) else {
                return leaf(members)
            }
            usedPaths.insert(path)
            var buckets: [IndexKey: [Int]] = [:]
            var rest: [Int] = []
            for member in members {
                if let keys = alternatives[member].exactFields[path] {
                    for key in keys where buckets[key]?.last != member { buckets[key, default: []].append(member) }
                } else {
                    rest.append(member)
                }
            }
            let deeper = excluded.union([path])
            var children: [IndexKey: DecisionNode] = [:]
            for (key, bucket) in buckets {
                children[key] = node(for: bucket, excluding: deeper)
            }
            let others = rest.isEmpty ? nil : node(for: rest, excluding: deeper)
            return DecisionNode(patterns: [], path: path, children: children, others: others)
        }

        private func leaf(_ members: [Int]) -> DecisionNode {
            let ids = Set(members.map { alternatives[$0].pattern }).sorted()
            return DecisionNode(patterns: ids, path: [], children: [:], others: nil)
        }

        /// The field that rules out the most verifications for a typical event: `count` members
        /// pin it, spread over `distinct` values, so an event carrying one of those values still
        /// verifies about `count / distinct` of them and skips the rest.
        private func bestSplit(of members: [Int], excluding excluded: Set<[String]>) -> [String]? {
            var counts: [[String]: Int] = [:]
            var values: [[String]: Set<IndexKey>] = [:]
            for member in members {
                for (path, keys) in alternatives[member].exactFields where !excluded.contains(path) {
                    counts[path, default: 0] += 1
                    values[path, default: []].formUnion(keys)
                }
            }
            var best: (path: [String], saving: Double)?
            for (path, count) in counts {
                let distinct = Double(values[path]?.count ?? 1)
                let saving = Double(count) * (1 - 1 / distinct)
                guard saving > Self.lookupCost else { continue }
                if let current = best {
                    // Ties go to the lexicographically smaller path, so the tree is reproducible.
                    if saving < current.saving || (saving == current.saving && !path.lexicographicallyPrecedes(current.path)) {
                        continue
                    }
                }
                best = (path, saving)
            }
            return best?.path
        }
    }
}
