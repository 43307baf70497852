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
/// follows the branches they select plus the "not constrained here" branch, and finally verifies
/// the alternatives collected. Patterns with nothing to split on end up on the path every event
/// takes.
///
/// ## What an event costs
/// The tree is flat arrays of plain values (no objects, so walking it does no reference
/// counting), and its tables are keyed by a value's bytes with a cheap word-at-a-time hash:
/// looking up a field's value costs a hash of its bytes and one byte comparison, not `String`
/// hashing. Candidates are collected on the stack, so an event that matches nothing allocates
/// nothing, and one that matches allocates only the result.
///
/// A split also *proves* things: an event that reaches an alternative through the child for an
/// exact value (or a `prefix`/`suffix` the alternative's field consists of) at a top-level field
/// has that field matched already. Each alternative reached is verified on what is left of it,
/// so an alternative whose fields are all proven (`"detail-type": ["OrderShipped"]`) costs no
/// verification at all. Proofs are only taken for top-level fields of events that are objects;
/// deeper fields may sit in arrays, where array consistency needs the whole level checked.
public struct RuleMatcher: Sendable {
    private let tree: DecisionTree
    /// The number of patterns.
    public let count: Int
    /// The event paths the tree looks up (sorted), for tests and diagnostics.
    let indexedPaths: [[String]]
    /// How many patterns every event verifies because nothing in the tree can rule them out.
    let alwaysCheckedCount: Int

    public init(patterns: [EventPattern]) {
        count = patterns.count
        var alternatives: [DecisionTree.Alternative] = []
        for (id, pattern) in patterns.enumerated() {
            for branch in pattern.branches {
                var alternative = DecisionTree.Alternative(pattern: id, root: branch)
                Self.collectRequirements(branch, path: [], into: &alternative)
                alternatives.append(alternative)
            }
        }
        var builder = DecisionTree.Builder(alternatives: alternatives)
        let root = builder.node(for: alternatives.indices.map { DecisionTree.Builder.Member(alternative: $0, proven: []) }, excluding: [])
        tree = DecisionTree(builder.tree)
        indexedPaths = builder.usedPaths.sorted { $0.lexicographicallyPrecedes($1) }
        alwaysCheckedCount = tree.patternsOnDefaultPath(from: root).count
    }

    /// Indexes (into `patterns`) of every pattern the event matches, ascending.
    public func matches(_ event: JSONValue) -> [Int] {
        let tree = self.tree
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: DecisionTree.CandidateList.inlineCapacity) { buffer in
            var candidates = DecisionTree.CandidateList(buffer: buffer)
            tree.collect(0, from: event, into: &candidates)
            return tree.verify(&candidates, against: event)
        }
    }

    /// Records the fields an alternative cannot match without, and what they must hold.
    private static func collectRequirements(
        _ node: PatternNode, path: [String], into alternative: inout DecisionTree.Alternative
    ) {
        for (key, child) in zip(node.keys, node.children) {
            switch child {
            case .leaf(let leaf):
                let fieldPath = path + [key]
                // Only a top-level field can be proven by the tree (see the type's documentation).
                let topLevel = path.isEmpty
                if let keys = leaf.indexKeys {
                    // An exact split on this field always beats an affix split on it. Exact keys
                    // compare as exact matchers do, so reaching a child proves the field.
                    alternative.requirements[DecisionTree.Split(path: fieldPath, kind: .exact)] =
                        DecisionTree.Requirement(values: keys.map(DecisionTree.Value.exact), proves: topLevel)
                    continue
                }
                if let prefixes = leaf.requiredPrefixes {
                    let provesField = leaf.matchers.allSatisfy { if case .prefix = $0 { true } else { false } }
                    alternative.requirements[DecisionTree.Split(path: fieldPath, kind: .prefix)] =
                        DecisionTree.Requirement(values: prefixes.map(DecisionTree.Value.affix), proves: topLevel && provesField)
                }
                if let suffixes = leaf.requiredSuffixes {
                    let provesField = leaf.matchers.allSatisfy { if case .suffix = $0 { true } else { false } }
                    alternative.requirements[DecisionTree.Split(path: fieldPath, kind: .suffix)] =
                        DecisionTree.Requirement(values: suffixes.map(DecisionTree.Value.affix), proves: topLevel && provesField)
                }
            case .object(let nested):
                // A level that can match entirely by absence does not need its fields.
                if !nested.canBeAbsent { collectRequirements(nested, path: path + [key], into: &alternative) }
            }
        }
    }
}

/// The `RuleMatcher` tree, as flat arrays of plain values. Node 0 is the root.
///
/// A class with constant arrays, so that passing it around costs one reference, never a copy of
/// each array's reference.
private final class DecisionTree: Sendable {
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

    /// The values an alternative needs at a split, and whether reaching it through one of them
    /// proves its (top-level) field matched.
    struct Requirement {
        var values: [Value]
        var proves: Bool
    }

    /// A `$or`-alternative of a pattern and the values each of its required fields needs.
    struct Alternative {
        var pattern: Int
        var root: PatternNode
        var requirements: [Split: Requirement] = [:]
    }

    struct Node {
        /// Candidates (indexes into `candidates`) for the alternatives that stop here.
        var candidateStart = 0
        var candidateEnd = 0
        /// Index into `splitPaths`, or -1 for a leaf.
        var split = -1
        var kind = Kind.exact
        /// This node's slots in `slots` (a power of two, `tableMask + 1` of them; -1: none).
        var tableStart = 0
        var tableMask = -1
        /// The distinct affix lengths of an affix split, ascending, in `affixLengths`.
        var lengthStart = 0
        var lengthEnd = 0
        /// Where the alternatives that do not constrain the split continue; -1 for none.
        var others = -1
    }

    /// A child keyed by a value's bytes.
    struct TableEntry {
        var hash: UInt64
        var tag: UInt8
        var keyStart: Int
        var keyCount: Int
        var child: Int
    }

    /// An alternative in a leaf, and what is left to verify of it.
    struct Candidate {
        var pattern: Int
        /// Index into `branches`: the whole alternative, for events that are not objects.
        var branch: Int
        /// Index into `residuals`: the alternative without the fields the path proved; -1 when
        /// the path proved all of it.
        var residual: Int
    }

    static let affixTag: UInt8 = 0

    /// The arrays of a tree, filled in by the `Builder`.
    struct Parts {
        var nodes: [Node] = []
        var splitPaths: [[String]] = []
        var slots: [Int] = []
        var tableEntries: [TableEntry] = []
        var keyBytes: [UInt8] = []
        var affixLengths: [Int] = []
        var candidates: [Candidate] = []
        var branches: [PatternNode] = []
        var residuals: [PatternNode] = []
    }

    let nodes: [Node]
    let splitPaths: [[String]]
    let slots: [Int]
    let tableEntries: [TableEntry]
    let keyBytes: [UInt8]
    let affixLengths: [Int]
    let candidates: [Candidate]
    let branches: [PatternNode]
    let residuals: [PatternNode]

    init(_ parts: Parts) {
        nodes = parts.nodes
        splitPaths = parts.splitPaths
        slots = parts.slots
        tableEntries = parts.tableEntries
        keyBytes = parts.keyBytes
        affixLengths = parts.affixLengths
        candidates = parts.candidates
        branches = parts.branches
        residuals = parts.residuals
    }

    /// The patterns of the candidates on the path every event takes (root, then `others`).
    func patternsOnDefaultPath(from root: Int) -> Set<Int> {
        var patterns = Set<Int>()
        var index = root
        while index >= 0 {
            let node = nodes[index]
            for candidate in candidates[node.candidateStart..<node.candidateEnd] { patterns.insert(candidate.pattern) }
            index = node.others
        }
        return patterns
    }

    // MARK: Matching

    /// Candidate indexes, on the stack while they fit.
    struct CandidateList {
        static let inlineCapacity = 64

        let buffer: UnsafeMutableBufferPointer<Int>
        var count = 0
        var spill: [Int] = []

        init(buffer: UnsafeMutableBufferPointer<Int>) {
            self.buffer = buffer
        }

        @inline(__always)
        mutating func append(_ candidate: Int) {
            if count < buffer.count {
                buffer[count] = candidate
            } else {
                spill.append(candidate)
            }
            count += 1
        }
    }

    /// Adds the candidates of node `index` and of every node under it that `event` selects.
    func collect(_ index: Int, from event: JSONValue, into list: inout CandidateList) {
        let node = nodes[index]
        var candidate = node.candidateStart
        while candidate < node.candidateEnd {
            list.append(candidate)
            candidate += 1
        }
        if node.split >= 0 {
            var visited = VisitedChildren()
            follow(node, path: splitPaths[node.split], depth: 0, in: event, from: event, visited: &visited, into: &list)
        }
        if node.others >= 0 { collect(node.others, from: event, into: &list) }
    }

    /// The children of one node that an event has visited. An array may hold a value twice, or
    /// two values may select one child: each child is visited once. Most fields hold one value,
    /// so the list is only allocated for a third child.
    private struct VisitedChildren {
        var first = -1
        var more: [Int] = []

        /// Records `child`; false if it was already visited.
        mutating func insert(_ child: Int) -> Bool {
            if first < 0 {
                first = child
                return true
            }
            guard child != first, !more.contains(child) else { return false }
            more.append(child)
            return true
        }
    }

    /// Finds the scalars at `path` (from `depth` on) in `value`, looking through arrays on the way
    /// (as matching does), and collects the children of `node` that they select.
    private func follow(
        _ node: Node, path: [String], depth: Int, in value: JSONValue, from event: JSONValue,
        visited: inout VisitedChildren, into list: inout CandidateList
    ) {
        switch value {
        case .array(let elements):
            for element in elements {
                follow(node, path: path, depth: depth, in: element, from: event, visited: &visited, into: &list)
            }
        case .object(let object):
            guard depth < path.count, let child = object.lookup(path[depth]) else { return }
            follow(node, path: path, depth: depth + 1, in: child, from: event, visited: &visited, into: &list)
        default:
            guard depth == path.count else { return }
            switch node.kind {
            case .exact:
                let child = IndexKey.withKey(of: value) { tag, bytes in self.child(of: node, tag: tag, bytes: bytes) } ?? -1
                if child >= 0, visited.insert(child) { collect(child, from: event, into: &list) }
            case .prefix, .suffix:
                guard case .string(let string) = value else { return }
                let count = string.utf8.count
                for position in node.lengthStart..<node.lengthEnd {
                    let length = affixLengths[position]
                    guard length <= count else { break }
                    let start = node.kind == .suffix ? count - length : 0
                    let child = UTF8Bytes.with(string) { bytes in
                        self.child(of: node, tag: Self.affixTag, bytes: UnsafeBufferPointer(rebasing: bytes[start..<(start + length)]))
                    }
                    if child >= 0, visited.insert(child) { collect(child, from: event, into: &list) }
                }
            }
        }
    }

    /// The child of `node` keyed by `tag` and `bytes`; -1 if none.
    @inline(__always)
    private func child(of node: Node, tag: UInt8, bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard node.tableMask >= 0 else { return -1 }
        let hash = UTF8Bytes.hash(bytes, seed: UInt64(tag))
        var slot = Int(truncatingIfNeeded: hash) & node.tableMask
        while true {
            let index = slots[node.tableStart + slot]
            guard index >= 0 else { return -1 }
            let entry = tableEntries[index]
            if entry.hash == hash, entry.tag == tag, entry.keyCount == bytes.count {
                let same = keyBytes.withUnsafeBufferPointer { keys in
                    UTF8Bytes.sameBytes(
                        UnsafeBufferPointer(rebasing: keys[entry.keyStart..<(entry.keyStart + entry.keyCount)]), bytes,
                        count: bytes.count)
                }
                if same { return entry.child }
            }
            slot = (slot + 1) & node.tableMask  // tables are at most half full: an empty slot ends this
        }
    }

    /// The patterns, ascending, of which some collected alternative matches `event`.
    func verify(_ list: inout CandidateList, against event: JSONValue) -> [Int] {
        guard list.count > 0 else { return [] }
        if list.spill.isEmpty {
            let collected = UnsafeMutableBufferPointer(rebasing: list.buffer[..<list.count])
            // Few candidates, each node's in ascending pattern order: an insertion sort is quick.
            for index in 1..<max(1, collected.count) {
                let candidate = collected[index]
                let pattern = candidates[candidate].pattern
                var position = index
                while position > 0, candidates[collected[position - 1]].pattern > pattern {
                    collected[position] = collected[position - 1]
                    position -= 1
                }
                collected[position] = candidate
            }
            return verifySorted(UnsafeBufferPointer(collected), against: event)
        }
        var all = Array(list.buffer) + list.spill
        all.sort { candidates[$0].pattern < candidates[$1].pattern }
        return all.withUnsafeBufferPointer { verifySorted($0, against: event) }
    }

    private func verifySorted(_ collected: UnsafeBufferPointer<Int>, against event: JSONValue) -> [Int] {
        var object: JSONObject?
        if case .object(let root) = event { object = root }
        var result: [Int] = []
        var index = 0
        while index < collected.count {
            let pattern = candidates[collected[index]].pattern
            var matched = false
            while index < collected.count, candidates[collected[index]].pattern == pattern {
                if !matched {
                    let candidate = candidates[collected[index]]
                    if let object {
                        matched = candidate.residual < 0 || residuals[candidate.residual].evaluate(object) != 0
                    } else {
                        matched = branches[candidate.branch].evaluate(event) != 0
                    }
                }
                index += 1
            }
            if matched { result.append(pattern) }
        }
        return result
    }

    // MARK: Building

    /// Builds the tree top-down, appending nodes and tables to `tree`.
    struct Builder {
        /// What one event-side lookup costs, in units of one pattern verification. A split must
        /// save more verifications than this (per distinct affix length, for an affix split).
        static let lookupCost = 0.5

        /// An alternative on its way down, and the top-level fields the path has proven so far.
        struct Member {
            var alternative: Int
            var proven: [String]
        }

        let alternatives: [Alternative]
        private(set) var usedPaths: Set<[String]> = []
        private(set) var tree = DecisionTree.Parts()
        private var splitIndexes: [[String]: Int] = [:]
        /// Residuals by `fingerprint(of:)`, to share equal ones.
        private var residualIndexes: [[UInt8]: Int] = [:]

        init(alternatives: [Alternative]) {
            self.alternatives = alternatives
            tree.branches = alternatives.map(\.root)
        }

        /// Appends the node for `members` (and everything under it); returns its index.
        mutating func node(for members: [Member], excluding excluded: Set<Split>) -> Int {
            let index = tree.nodes.count
            tree.nodes.append(Node())
            guard members.count > 1, let split = bestSplit(of: members, excluding: excluded) else {
                addCandidates(members, to: index)
                return index
            }
            usedPaths.insert(split.path)
            // Buckets in first-seen order, so that the tree is the same on every run.
            var bucketIndexes: [Value: Int] = [:]
            var buckets: [(value: Value, members: [Member])] = []
            var rest: [Member] = []
            for member in members {
                guard let requirement = alternatives[member.alternative].requirements[split] else {
                    rest.append(member)
                    continue
                }
                var reached = member
                if requirement.proves { reached.proven.append(split.path[0]) }
                for value in requirement.values {
                    if let bucket = bucketIndexes[value] {
                        if buckets[bucket].members.last?.alternative != member.alternative { buckets[bucket].members.append(reached) }
                    } else {
                        bucketIndexes[value] = buckets.count
                        buckets.append((value, [reached]))
                    }
                }
            }
            let deeper = excluded.union([split])
            var entries: [(tag: UInt8, bytes: [UInt8], child: Int)] = []
            for (value, bucket) in buckets {
                let child = node(for: bucket, excluding: deeper)
                switch value {
                case .exact(let key): entries.append((key.tag, key.bytes, child))
                case .affix(let bytes): entries.append((DecisionTree.affixTag, bytes, child))
                }
            }
            let others = rest.isEmpty ? -1 : node(for: rest, excluding: deeper)

            var node = Node()
            node.candidateStart = tree.candidates.count
            node.candidateEnd = tree.candidates.count
            if let existing = splitIndexes[split.path] {
                node.split = existing
            } else {
                node.split = tree.splitPaths.count
                splitIndexes[split.path] = node.split
                tree.splitPaths.append(split.path)
            }
            node.kind = split.kind
            addTable(entries, to: &node)
            if split.kind != .exact {
                node.lengthStart = tree.affixLengths.count
                tree.affixLengths.append(contentsOf: Set(entries.map(\.bytes.count)).sorted())
                node.lengthEnd = tree.affixLengths.count
            }
            node.others = others
            tree.nodes[index] = node
            return index
        }

        private mutating func addCandidates(_ members: [Member], to index: Int) {
            tree.nodes[index].candidateStart = tree.candidates.count
            for member in members {
                let alternative = alternatives[member.alternative]
                var residual = -1
                let root = alternative.root
                if member.proven.isEmpty {
                    residual = tree.residuals.count
                    tree.residuals.append(root)
                } else {
                    var keys: [String] = []
                    var children: [PatternNode.Child] = []
                    for (key, child) in zip(root.keys, root.children) where !member.proven.contains(key) {
                        keys.append(key)
                        children.append(child)
                    }
                    if !keys.isEmpty {
                        let node = PatternNode(keys: keys, children: children)
                        // Rules often differ only in the fields the tree proves: they then share
                        // one residual, which stays in cache however many rules there are.
                        if let fingerprint = Self.fingerprint(of: node) {
                            if let shared = residualIndexes[fingerprint] {
                                residual = shared
                            } else {
                                residual = tree.residuals.count
                                residualIndexes[fingerprint] = residual
                                tree.residuals.append(node)
                            }
                        } else {
                            residual = tree.residuals.count
                            tree.residuals.append(node)
                        }
                    }
                }
                tree.candidates.append(Candidate(pattern: alternative.pattern, branch: member.alternative, residual: residual))
            }
            tree.nodes[index].candidateEnd = tree.candidates.count
        }

        /// A byte-exact description of `node`: two nodes with the same fingerprint match the same
        /// events. Nil when a matcher has no description here (those residuals are not shared).
        static func fingerprint(of node: PatternNode) -> [UInt8]? {
            var bytes: [UInt8] = []
            return append(node, to: &bytes) ? bytes : nil
        }

        private static func append(_ node: PatternNode, to bytes: inout [UInt8]) -> Bool {
            append(count: node.keys.count, to: &bytes)
            for (key, child) in zip(node.keys, node.children) {
                append(Array(key.utf8), to: &bytes)
                switch child {
                case .object(let nested):
                    bytes.append(0)
                    guard append(nested, to: &bytes) else { return false }
                case .leaf(let leaf):
                    bytes.append(leaf.allowsAbsence ? 2 : 1)
                    append(count: leaf.matchers.count, to: &bytes)
                    for matcher in leaf.matchers {
                        guard append(matcher, to: &bytes) else { return false }
                    }
                }
            }
            return true
        }

        private static func append(_ matcher: ValueMatcher, to bytes: inout [UInt8]) -> Bool {
            switch matcher {
            case .exactString(let string):
                bytes.append(1)
                append(Array(string.utf8), to: &bytes)
            case .exactStrings(let set):
                bytes.append(2)
                append(set.members, to: &bytes)
            case .exactNumber(let number):
                bytes.append(3)
                append(number, to: &bytes)
            case .exactBool(let bool):
                bytes.append(bool ? 5 : 4)
            case .exactNull:
                bytes.append(6)
            case .anyValue:
                bytes.append(7)
            case .prefix(let prefix):
                bytes.append(8)
                append(prefix, to: &bytes)
            case .suffix(let suffix):
                bytes.append(9)
                append(suffix, to: &bytes)
            case .numeric(let comparison):
                bytes.append(10)
                for bound in [comparison.lower, comparison.upper] {
                    if let bound {
                        bytes.append(1)
                        append(bound, to: &bytes)
                    } else {
                        bytes.append(0)
                    }
                }
                bytes.append((comparison.lowerInclusive ? 1 : 0) | (comparison.upperInclusive ? 2 : 0))
            case .anythingBut(.strings(let set)):
                bytes.append(11)
                append(set.members, to: &bytes)
            case .anythingBut(.numbers(let numbers)):
                bytes.append(12)
                let sorted = numbers.map(\.bitPattern).sorted()
                append(count: sorted.count, to: &bytes)
                for bits in sorted { withUnsafeBytes(of: bits.littleEndian) { bytes.append(contentsOf: $0) } }
            default:
                return false
            }
            return true
        }

        private static func append(count: Int, to bytes: inout [UInt8]) {
            withUnsafeBytes(of: UInt64(count).littleEndian) { bytes.append(contentsOf: $0) }
        }

        private static func append(_ part: [UInt8], to bytes: inout [UInt8]) {
            append(count: part.count, to: &bytes)
            bytes.append(contentsOf: part)
        }

        private static func append(_ strings: [String], to bytes: inout [UInt8]) {
            append(count: strings.count, to: &bytes)
            for string in strings { append(Array(string.utf8), to: &bytes) }
        }

        private static func append(_ number: Double, to bytes: inout [UInt8]) {
            withUnsafeBytes(of: number.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }

        /// An open-addressing table of `entries` (at most half full), in `tree.slots`.
        private mutating func addTable(_ entries: [(tag: UInt8, bytes: [UInt8], child: Int)], to node: inout Node) {
            guard !entries.isEmpty else { return }
            var size = 2
            while size < entries.count * 2 { size *= 2 }
            node.tableStart = tree.slots.count
            node.tableMask = size - 1
            tree.slots.append(contentsOf: repeatElement(-1, count: size))
            for entry in entries {
                let hash = entry.bytes.withUnsafeBufferPointer { UTF8Bytes.hash($0, seed: UInt64(entry.tag)) }
                var slot = Int(truncatingIfNeeded: hash) & node.tableMask
                while tree.slots[node.tableStart + slot] >= 0 { slot = (slot + 1) & node.tableMask }
                tree.slots[node.tableStart + slot] = tree.tableEntries.count
                tree.tableEntries.append(
                    TableEntry(hash: hash, tag: entry.tag, keyStart: tree.keyBytes.count, keyCount: entry.bytes.count, child: entry.child))
                tree.keyBytes.append(contentsOf: entry.bytes)
            }
        }

        /// The split that rules out the most verifications for a typical event: `count` members
        /// constrain the field, spread over `distinct` values, so an event carrying one of them
        /// still verifies about `count / distinct` and skips the rest.
        private func bestSplit(of members: [Member], excluding excluded: Set<Split>) -> Split? {
            var counts: [Split: Int] = [:]
            var values: [Split: Set<Value>] = [:]
            for member in members {
                for (split, needed) in alternatives[member.alternative].requirements where !excluded.contains(split) {
                    counts[split, default: 0] += 1
                    values[split, default: []].formUnion(needed.values)
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
