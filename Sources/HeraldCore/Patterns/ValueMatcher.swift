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
            return UTF8Bytes.equal(string, expected)
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
            return UTF8Bytes.hasPrefix(string, prefix)
        case .suffix(let suffix):
            guard case .string(let string) = value else { return false }
            return UTF8Bytes.hasSuffix(string, suffix)
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
        case .exactStrings(let set): set.members.map { IndexKey.string($0) }
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

/// A value an exact-match pattern field is looking for, as the `RuleMatcher` tree keys it: the
/// scalar's type and its bytes (a string's UTF-8, a number's value as `Double` bits, with `-0`
/// as `0`). Two keys are equal exactly when an exact matcher for one accepts the other, so finding
/// an event's key in the tree proves the field matches.
struct IndexKey: Hashable, Sendable {
    /// The scalar's type: strings, numbers, booleans and null never equal one another.
    let tag: UInt8
    let bytes: [UInt8]

    static let stringTag: UInt8 = 1
    static let numberTag: UInt8 = 2
    static let boolTag: UInt8 = 3
    static let nullTag: UInt8 = 4

    static func string(_ string: String) -> IndexKey { IndexKey(tag: stringTag, bytes: Array(string.utf8)) }
    static func bool(_ bool: Bool) -> IndexKey { IndexKey(tag: boolTag, bytes: [bool ? 1 : 0]) }
    static let null = IndexKey(tag: nullTag, bytes: [])

    init(number: Double) {
        self.init(tag: Self.numberTag, bytes: withUnsafeBytes(of: Self.bits(of: number)) { Array($0) })
    }

    private init(tag: UInt8, bytes: [UInt8]) {
        self.tag = tag
        self.bytes = bytes
    }

    /// The key for an event scalar; nil for arrays and objects.
    init?(_ value: JSONValue) {
        guard let key = Self.withKey(of: value, { tag, bytes in IndexKey(tag: tag, bytes: Array(bytes)) }) else {
            return nil
        }
        self = key
    }

    /// Calls `body` with the tag and bytes of the key for an event scalar, without allocating;
    /// nil for arrays and objects.
    @inline(__always)
    static func withKey<R>(of value: JSONValue, _ body: (UInt8, UnsafeBufferPointer<UInt8>) -> R) -> R? {
        switch value {
        case .string(let string):
            return UTF8Bytes.with(string) { body(stringTag, $0) }
        case .number(let number):
            return withUnsafeBytes(of: bits(of: number.value)) { body(numberTag, $0.bindMemory(to: UInt8.self)) }
        case .bool(let bool):
            return withUnsafeBytes(of: bool ? UInt8(1) : 0) { body(boolTag, $0.bindMemory(to: UInt8.self)) }
        case .null:
            return body(nullTag, UnsafeBufferPointer(start: nil, count: 0))
        case .array, .object:
            return nil
        }
    }

    /// One bit pattern for 0 and -0, which are equal.
    @inline(__always)
    private static func bits(of number: Double) -> UInt64 {
        (number == 0 ? 0 : number).bitPattern.littleEndian
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
        // A few members are compared directly: cheaper than hashing the string.
        if members.count <= Self.scanLimit {
            for index in members.indices where Self.sameBytes(members[index], string) { return true }
            return false
        }
        guard let bucket = buckets[string] else { return false }
        return bucket.contains { Self.sameBytes($0, string) }
    }

    private static let scanLimit = 8

    @inline(__always)
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        UTF8Bytes.equal(a, b)
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
            return !excluded.contains { UTF8Bytes.hasPrefix(string, $0) }
        case .suffixes(let excluded):
            guard case .string(let string) = value else { return true }
            return !excluded.contains { UTF8Bytes.hasSuffix(string, $0) }
        case .equalsIgnoringCase(let excluded):
            guard case .string(let string) = value else { return true }
            return !excluded.contains { $0.equals(string) }
        case .wildcards(let excluded):
            guard case .string(let string) = value else { return true }
            return !excluded.contains { $0.matches(string) }
        }
    }
}
