/// What a compiled pattern field needs from the event: one of `matchers` on some scalar at its
/// path, or — when the list held `{"exists": false}` — no scalar at the path at all.
struct LeafTest: Sendable {
    var matchers: [ValueMatcher]
    var allowsAbsence: Bool

    /// The exact values one of which must be present for the field to match, when the field
    /// holds only exact values and cannot match by absence; nil otherwise.
    var indexKeys: [IndexKey]? {
        guard !allowsAbsence, !matchers.isEmpty else { return nil }
        var keys: [IndexKey] = []
        for matcher in matchers {
            guard let matcherKeys = matcher.indexKeys else { return nil }
            keys.append(contentsOf: matcherKeys)
        }
        return keys
    }

    /// The prefixes one of which a string at this field must start with for the field to match,
    /// when every matcher implies one (exact strings, `prefix`, a wildcard's leading literal) and
    /// the field cannot match by absence; nil otherwise, or when a prefix is empty.
    var requiredPrefixes: [[UInt8]]? {
        requiredAffixes(\.requiredPrefixes)
    }

    /// Like `requiredPrefixes`, for the end of the string.
    var requiredSuffixes: [[UInt8]]? {
        requiredAffixes(\.requiredSuffixes)
    }

    private func requiredAffixes(_ affixes: (ValueMatcher) -> [[UInt8]]?) -> [[UInt8]]? {
        guard !allowsAbsence, !matchers.isEmpty else { return nil }
        var all: [[UInt8]] = []
        for matcher in matchers {
            guard let some = affixes(matcher), !some.contains(where: \.isEmpty) else { return nil }
            all.append(contentsOf: some)
        }
        return all
    }
}

/// One `$or`-free alternative of a pattern, as a tree of object levels: each level names event
/// fields and says what each must hold (a `LeafTest`, or another level).
///
/// ## How a tree is matched
/// EventBridge flattens an event into leaf fields and accepts a set of field matches only when no
/// two of them come from different elements of the same array ("array consistency"). Walking the
/// tree gives the same answer: when a level meets an array of objects, one element must satisfy
/// the whole level. `exists: false` is subtler — a field is absent only if no element the match
/// is *not* committed to holds it — so every evaluation answers two questions at once:
/// - `positive`: the level can match with at least one field matched by a value (committing to
///   the array elements those values live in);
/// - `absent`: every field of the level can match by absence, across all elements.
final class PatternNode: Sendable {
    enum Child: Sendable {
        case leaf(LeafTest)
        case object(PatternNode)
    }

    static let positive: UInt8 = 1
    static let absent: UInt8 = 2

    let keys: [String]
    let children: [Child]
    /// Whether the level can ever be `absent` (every leaf under it allows absence).
    let canBeAbsent: Bool

    init(keys: [String], children: [Child]) {
        self.keys = keys
        self.children = children
        self.canBeAbsent = children.allSatisfy { child in
            switch child {
            case .leaf(let leaf): leaf.allowsAbsence
            case .object(let node): node.canBeAbsent
            }
        }
    }

    /// Which of `positive` / `absent` the level achieves on `value` (nil: the field is missing).
    func evaluate(_ value: JSONValue?) -> UInt8 {
        switch value {
        case .object(let object)?: evaluate(object)
        case .array(let elements)?: evaluate(elements)
        default: canBeAbsent ? Self.absent : 0
        }
    }

    func evaluate(_ object: JSONObject) -> UInt8 {
        // The event's members are read in place: looking a field up by position, rather than
        // copying it out, spares reference counting on every field.
        object.members.withUnsafeBufferPointer { members in
            children.withUnsafeBufferPointer { children in
                var allAbsent = true
                var anyPositive = false
                for index in children.indices {
                    let position = JSONObject.position(of: keys[index], in: members)
                    let outcome: UInt8
                    switch children[index] {
                    case .leaf(let leaf):
                        outcome = position >= 0 ? leaf.evaluate(present: members[position].value) : leaf.evaluate(nil)
                    case .object(let node):
                        outcome = position >= 0 ? node.evaluate(members[position].value) : node.evaluate(nil)
                    }
                    if outcome == 0 { return 0 }
                    if outcome & Self.absent == 0 { allAbsent = false }
                    if outcome & Self.positive != 0 { anyPositive = true }
                }
                return (anyPositive ? Self.positive : 0) | (allAbsent ? Self.absent : 0)
            }
        }
    }

    /// An array of objects: `positive` if one element matches positively (the match commits to
    /// that element), `absent` if every element is `absent` (nothing committed, so every element
    /// counts). Nested arrays are flattened.
    private func evaluate(_ elements: [JSONValue]) -> UInt8 {
        var anyPositive = false
        var allAbsent = canBeAbsent
        forEachElement(of: elements) { element in
            let outcome = evaluate(element)
            if outcome & Self.positive != 0 { anyPositive = true }
            if outcome & Self.absent == 0 { allAbsent = false }
            return anyPositive && !allAbsent  // neither can change any more
        }
        return (anyPositive ? Self.positive : 0) | (allAbsent ? Self.absent : 0)
    }

    /// Calls `body` on each non-array element of `elements`, descending into nested arrays, until
    /// `body` returns true (stop).
    @discardableResult
    private func forEachElement(of elements: [JSONValue], _ body: (JSONValue) -> Bool) -> Bool {
        for element in elements {
            if case .array(let nested) = element {
                if forEachElement(of: nested, body) { return true }
            } else if body(element) {
                return true
            }
        }
        return false
    }
}

extension LeafTest {
    /// Which of `positive` / `absent` the field achieves on `value` (nil: the field is missing).
    /// Objects hold no scalars for this path, so `{"a": {...}}` and `{"a": []}` are absent here.
    func evaluate(_ value: JSONValue?) -> UInt8 {
        guard let value else { return allowsAbsence ? PatternNode.absent : 0 }
        return evaluate(present: value)
    }

    /// `evaluate(_:)` for a field that is present.
    func evaluate(present value: JSONValue) -> UInt8 {
        if !allowsAbsence {
            return anyScalarMatches(in: value) ? PatternNode.positive : 0
        }
        var sawScalar = false
        var matched = false
        scanScalars(in: value, sawScalar: &sawScalar, matched: &matched)
        return (matched ? PatternNode.positive : 0) | (sawScalar ? 0 : PatternNode.absent)
    }

    /// Whether some scalar in `value` (arrays flattened) satisfies one of the matchers.
    private func anyScalarMatches(in value: JSONValue) -> Bool {
        switch value {
        case .array(let elements):
            for element in elements where anyScalarMatches(in: element) { return true }
            return false
        case .object:
            return false
        default:
            return matchers.withUnsafeBufferPointer { matchers in
                for index in matchers.indices where matchers[index].matches(value) { return true }
                return false
            }
        }
    }

    private func scanScalars(in value: JSONValue, sawScalar: inout Bool, matched: inout Bool) {
        switch value {
        case .array(let elements):
            for element in elements {
                scanScalars(in: element, sawScalar: &sawScalar, matched: &matched)
                if matched { return }
            }
        case .object:
            return
        default:
            sawScalar = true
            for index in matchers.indices where matchers[index].matches(value) {
                matched = true
                return
            }
        }
    }
}
