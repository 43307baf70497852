/// One compiled element of a field's value list: a test on a single scalar of the event
/// (a string, number, boolean or null; arrays are flattened before a matcher sees them).
///
/// Types never cross: a string never equals a number (`"300"` is not `300`), prefix-like operators
/// only see strings, `numeric` only numbers, `cidr` only strings that are addresses.
enum ValueMatcher: Sendable {
    case exactString(String)
    case exactStrings(StringSet)
    case exactNumber(Double)
    case exactBool(Bool)
    case exactNull
    /// `{"exists": true}`: any scalar at all, `null` included.
    case anyValue
    case prefix([UInt8])
    case suffix([UInt8])
    case prefixIgnoringCase(CaseInsensitiveText)
    case suffixIgnoringCase(CaseInsensitiveText)
    case equalsIgnoringCase(CaseInsensitiveText)
    case wildcard(WildcardPattern)
    case numeric(NumericComparison)
    case cidr(CIDRBlock)
    case anythingBut(AnythingBut)

    func matches(_ value: JSONValue) -> Bool {
        switch self {
        case .exactString(let expected):
            guard case .string(let string) = value else { return false }
            return string.utf8.count == expected.utf8.count && string.utf8.elementsEqual(expected.utf8)
        case .exactStrings(let set):
            guard case .string(let string) = value else { return false }
            return set.contains(string)
        case .exactNumber(let expected):
            guard case .number(let number) = value else { return false }
            return number.value == expected
        case .exactBool(let expected):
            guard case .bool(let bool) = value else { return false }
            return bool == expected
        case .exactNull:
            if case .null = value { return true }
            return false
        case .anyValue:
            return true
        case .prefix(let prefix):
            guard case .string(let string) = value else { return false }
            return string.utf8.starts(with: prefix)
        case .suffix(let suffix):
            guard case .string(let string) = value else { return false }
            return string.utf8.count >= suffix.count && string.utf8.suffix(suffix.count).elementsEqual(suffix)
        case .prefixIgnoringCase(let text):
            guard case .string(let string) = value else { return false }
            return text.isPrefix(of: string)
        case .suffixIgnoringCase(let text):
            guard case .string(let string) = value else { return false }
            return text.isSuffix(of: string)
        case .equalsIgnoringCase(let text):
            guard case .string(let string) = value else { return false }
            return text.equals(string)
        case .wildcard(let pattern):
            guard case .string(let string) = value else { return false }
            return pattern.matches(string)
        case .numeric(let comparison):
            guard case .number(let number) = value else { return false }
            return comparison.contains(number.value)
        case .cidr(let block):
            guard case .string(let string) = value else { return false }
            return block.contains(string)
        case .anythingBut(let exclusion):
            return exclusion.matches(value)
        }
    }

    /// The event values this matcher accepts when it accepts only finitely many, for the
    /// `RuleMatcher` index; nil for every operator.
    var indexKeys: [IndexKey]? {
        switch self {
        case .exactString(let string): [.string(string)]
        case .exactStrings(let set): set.members.map(IndexKey.string)
        case .exactNumber(let number): [IndexKey(number: number)]
        case .exactBool(let bool): [.bool(bool)]
        case .exactNull: [.null]
        default: nil
        }
    }

    /// Byte strings one of which every string this matcher accepts starts with; nil if it may
    /// accept a value without one (a non-string, or any string at all).
    var requiredPrefixes: [[UInt8]]? {
        switch self {
        case .exactString(let string): [Array(string.utf8)]
        case .exactStrings(let set): set.members.map { Array($0.utf8) }
        case .prefix(let prefix): [prefix]
        case .wildcard(let pattern): [pattern.leadingLiteral]
        default: nil
        }
    }

    /// Byte strings one of which every string this matcher accepts ends with.
    var requiredSuffixes: [[UInt8]]? {
        switch self {
        case .exactString(let string): [Array(string.utf8)]
        case .exactStrings(let set): set.members.map { Array($0.utf8) }
        case .suffix(let suffix): [suffix]
        case .wildcard(let pattern): [pattern.trailingLiteral]
        default: nil
        }
    }
}

/// A value an exact-match pattern field is looking for, as a hash key: the `RuleMatcher` looks up
/// the event's values at an indexed path to find the patterns that can possibly match.
enum IndexKey: Hashable, Sendable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    init(number: Double) {
        self = .number(number == 0 ? 0 : number)  // one key for 0 and -0, which are equal
    }

    /// The key for an event scalar; nil for arrays and objects.
    init?(_ value: JSONValue) {
        switch value {
        case .string(let string): self = .string(string)
        case .number(let number): self.init(number: number.value)
        case .bool(let bool): self = .bool(bool)
        case .null: self = .null
        case .array, .object: return nil
        }
    }
}

/// A set of strings compared byte for byte (as EventBridge does), with hashed lookup.
///
/// Swift's `String` equality treats canonically equivalent strings (`é` written precomposed or
/// as `e` + accent) as equal; EventBridge does not. Strings are bucketed by Swift equality, and a
/// hit is confirmed on the UTF-8 bytes.
struct StringSet: Sendable {
    private let buckets: [String: [String]]
    /// Every member, in first-seen order, without duplicates.
    let members: [String]

    init<S: Sequence>(_ strings: S) where S.Element == String {
        var buckets: [String: [String]] = [:]
        var members: [String] = []
        for string in strings {
            let bucket = buckets[string, default: []]
            if bucket.contains(where: { Self.sameBytes($0, string) }) { continue }
            buckets[string] = bucket + [string]
            members.append(string)
        }
        self.buckets = buckets
        self.members = members
    }

    func contains(_ string: String) -> Bool {
        guard let bucket = buckets[string] else { return false }
        return bucket.contains { Self.sameBytes($0, string) }
    }

    @inline(__always)
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && a.utf8.elementsEqual(b.utf8)
    }
}

/// A compiled `numeric` operand: `=`, one bound, or a lower and an upper bound.
struct NumericComparison: Sendable, Hashable {
    var lower: Double?
    var lowerInclusive: Bool
    var upper: Double?
    var upperInclusive: Bool

    static func equal(to value: Double) -> NumericComparison {
        NumericComparison(lower: value, lowerInclusive: true, upper: value, upperInclusive: true)
    }

    func contains(_ value: Double) -> Bool {
        if let lower {
            if lowerInclusive ? value < lower : value <= lower { return false }
        }
        if let upper {
            if upperInclusive ? value > upper : value >= upper { return false }
        }
        return true
    }
}

/// A compiled `anything-but` operand. It needs a value to be present (a missing field never
/// matches), and a value of another type always matches: `{"anything-but": ["a"]}` accepts the
/// number 5, `{"anything-but": [5]}` accepts the string `"5"`, and the prefix-like forms accept
/// every number, boolean and null.
enum AnythingBut: Sendable {
    case strings(StringSet)
    case numbers(Set<Double>)
    case prefixes([[UInt8]])
    case suffixes([[UInt8]])
    case equalsIgnoringCase([CaseInsensitiveText])
    case wildcards([WildcardPattern])

    func matches(_ value: JSONValue) -> Bool {
        switch self {
        case .numbers(let excluded):
            guard case .number(let number) = value else { return true }
            return !excluded.contains(number.value == 0 ? 0 : number.value)
        case .strings(let excluded):
            guard case .string(let string) = value else { return true }
            return !excluded.contains(string)
        case .prefixes(let excluded):
            guard case .string(let string) = value else { return true }
            return !excluded.contains { string.utf8.starts(with: $0) }
        case .suffixes(let excluded):
            guard case .string(let string) = value else { return true }
            let utf8 = string.utf8
            return !excluded.contains { utf8.count >= $0.count && utf8.suffix($0.count).elementsEqual($0) }
        case .equalsIgnoringCase(let excluded):
            guard case .string(let string) = value else { return true }
            return !excluded.contains { $0.equals(string) }
        case .wildcards(let excluded):
            guard case .string(let string) = value else { return true }
            return !excluded.contains { $0.matches(string) }
        }
    }
}
