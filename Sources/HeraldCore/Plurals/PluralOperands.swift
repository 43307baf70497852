/// A number as CLDR's plural rules see it: the operands of Unicode TR35, "Language Plural Rules".
///
/// Plural categories depend on how a number is written, not only on its value: in English "1 day"
/// but "1.0 days". So operands are built from the decimal text that will be shown, keeping visible
/// trailing zeros:
///
/// | text          | n         | i       | v | w | f   | t  | e |
/// |---------------|-----------|---------|---|---|-----|----|---|
/// | `1`           | 1         | 1       | 0 | 0 | 0   | 0  | 0 |
/// | `1.0`         | 1         | 1       | 1 | 0 | 0   | 0  | 0 |
/// | `1.30`        | 1.3       | 1       | 2 | 1 | 30  | 3  | 0 |
/// | `-3`          | 3         | 3       | 0 | 0 | 0   | 0  | 0 |
/// | `1.2c6`       | 1200000   | 1200000 | 0 | 0 | 0   | 0  | 6 |
/// | `1.20050c3`   | 1200.5    | 1200    | 2 | 1 | 50  | 5  | 3 |
///
/// `c` (and `e`) is CLDR's compact-decimal exponent, as in "1.2M": the number is the mantissa times
/// 10^c, and `c` itself is an operand (French says "1 million de" but "1,2 M"). Integer operands keep
/// their last 18 digits, as ICU does; rules only look at small remainders, and a flag remembers that
/// a number is larger so that `n = 1` stays false for 10^18 + 1.
public struct PluralOperands: Sendable, Hashable {
    /// The absolute value.
    public let n: Double
    /// The integer digits of n (the last 18 if there are more).
    public let i: Int
    /// The number of visible fraction digits, with trailing zeros.
    public let v: Int
    /// The number of visible fraction digits, without trailing zeros.
    public let w: Int
    /// The visible fraction digits, with trailing zeros, as an integer (the last 18 digits if more).
    public let f: Int
    /// The visible fraction digits, without trailing zeros, as an integer (the last 18 digits if more).
    public let t: Int
    /// The compact-decimal exponent: 6 for `1.2c6`, 0 for a number written out in full.
    public let e: Int
    /// The compact-decimal exponent; CLDR spells it both `c` and `e`.
    public var c: Int { e }

    /// Whether i had more than 18 digits, so that it equals no value a rule can name.
    let integerIsLarge: Bool
    /// Whether f had more than 18 significant digits.
    let fractionIsLarge: Bool
    /// Whether t had more than 18 significant digits.
    let trimmedFractionIsLarge: Bool
    /// False for NaN and infinities, which are in no category but `other`.
    let isFinite: Bool

    /// The operands of a decimal number as it is displayed: an optional sign, digits, optionally `.`
    /// and digits, optionally `c` (or `e`) and a non-negative exponent: `1`, `1.50`, `-3`, `1e3`, `1.2c6`.
    ///
    /// Returns nil for anything else, including surrounding spaces, grouping separators and non-ASCII digits.
    public init?(decimal text: String) {
        let ascii = (zero: UInt8(ascii: "0"), nine: UInt8(ascii: "9"), point: UInt8(ascii: "."))
        let isDigit = { (byte: UInt8) in byte >= ascii.zero && byte <= ascii.nine }
        let utf8 = text.utf8
        var index = utf8.startIndex
        if index != utf8.endIndex, utf8[index] == UInt8(ascii: "-") || utf8[index] == UInt8(ascii: "+") {
            utf8.formIndex(after: &index)
        }
        let mantissaStart = index
        var integerDigitCount = 0
        while index != utf8.endIndex, isDigit(utf8[index]) {
            integerDigitCount += 1
            utf8.formIndex(after: &index)
        }
        guard integerDigitCount > 0 else { return nil }
        var fractionDigitCount = 0
        if index != utf8.endIndex, utf8[index] == ascii.point {
            utf8.formIndex(after: &index)
            while index != utf8.endIndex, isDigit(utf8[index]) {
                fractionDigitCount += 1
                utf8.formIndex(after: &index)
            }
            guard fractionDigitCount > 0 else { return nil }
        }
        let mantissaEnd = index
        var exponent = 0
        if index != utf8.endIndex {
            switch utf8[index] {
            case UInt8(ascii: "c"), UInt8(ascii: "e"), UInt8(ascii: "E"): break
            default: return nil
            }
            utf8.formIndex(after: &index)
            var exponentDigitCount = 0
            while index != utf8.endIndex, isDigit(utf8[index]) {
                let (shifted, overflow1) = exponent.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = shifted.addingReportingOverflow(Int(utf8[index] - ascii.zero))
                guard !overflow1, !overflow2 else { return nil }
                exponent = sum
                exponentDigitCount += 1
                utf8.formIndex(after: &index)
            }
            guard exponentDigitCount > 0, index == utf8.endIndex else { return nil }
        }
        let (pointPosition, overflow) = integerDigitCount.addingReportingOverflow(exponent)
        guard !overflow else { return nil }
        let mantissa = Substring(utf8[mantissaStart..<mantissaEnd])
        // n is for callers to read; rules use the digits, which are exact.
        let magnitude = exponent == 0 ? Double(mantissa) : Double(mantissa + "e\(exponent)")
        let digits = mantissa.utf8.lazy.filter { $0 != ascii.point }
        self.init(digits: digits, pointPosition: pointPosition, exponent: exponent, n: magnitude ?? .infinity)
    }

    /// The operands of a number written in its shortest decimal form (`1.5`, `2`, `0.30000000000000004`),
    /// without compact exponent. NaN and infinities select `other` in every locale.
    public init(_ value: Double) {
        guard value.isFinite else {
            self.init(nonFinite: value.magnitude)
            return
        }
        // Swift prints the shortest text that reads back as the same Double: `1.0`, `1e-05`, `1.5e+20`.
        let text = value.magnitude.description
        let parts = text.split(separator: "e", maxSplits: 1)
        var mantissa = parts[0]
        if mantissa.hasSuffix(".0") { mantissa = mantissa.dropLast(2) }
        let integerDigitCount = mantissa.utf8.prefix { $0 != UInt8(ascii: ".") }.count
        let shift = parts.count == 2 ? Int(parts[1]) ?? 0 : 0
        let digits = mantissa.utf8.lazy.filter { $0 != UInt8(ascii: ".") }
        self.init(digits: digits, pointPosition: integerDigitCount + shift, exponent: 0, n: value.magnitude)
    }

    /// Operands from a sequence of ASCII digits with the decimal point after `pointPosition` of them
    /// (before them if negative, after zeros appended if beyond them).
    private init(digits: some Collection<UInt8>, pointPosition: Int, exponent: Int, n: Double) {
        var integer = Accumulator()
        var fraction = Accumulator()
        var trimmedFraction = Accumulator()
        // The position just after the last non-zero fraction digit: everything up to it makes t.
        var fractionEnd = pointPosition
        var position = 0
        for digit in digits {
            if position >= pointPosition, digit != UInt8(ascii: "0") { fractionEnd = position + 1 }
            position += 1
        }
        let digitCount = position
        position = 0
        for digit in digits {
            let value = UInt64(digit - UInt8(ascii: "0"))
            if position < pointPosition {
                integer.push(value)
            } else {
                fraction.push(value)
                if position < fractionEnd { trimmedFraction.push(value) }
            }
            position += 1
        }
        // Zeros the exponent appends to the integer; past 36 of them the last 18 digits are all zero.
        for _ in 0..<min(max(0, pointPosition - digitCount), 36) { integer.push(0) }

        self.n = n
        self.i = Int(integer.value)
        self.v = max(0, digitCount - pointPosition)
        // Zeros between the point and the first digit (`1e-05` is 0.00001) count in v and w.
        self.w = max(0, fractionEnd - pointPosition)
        self.f = Int(fraction.value)
        self.t = Int(trimmedFraction.value)
        self.e = exponent
        self.integerIsLarge = integer.isLarge
        self.fractionIsLarge = fraction.isLarge
        self.trimmedFractionIsLarge = trimmedFraction.isLarge
        self.isFinite = true
    }

    private init(nonFinite magnitude: Double) {
        n = magnitude
        (i, v, w, f, t, e) = (0, 0, 0, 0, 0, 0)
        (integerIsLarge, fractionIsLarge, trimmedFractionIsLarge) = (false, false, false)
        isFinite = false
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        // By bit pattern, so that NaN equals itself.
        lhs.n.bitPattern == rhs.n.bitPattern && lhs.i == rhs.i && lhs.v == rhs.v && lhs.w == rhs.w
            && lhs.f == rhs.f && lhs.t == rhs.t && lhs.e == rhs.e && lhs.integerIsLarge == rhs.integerIsLarge
            && lhs.fractionIsLarge == rhs.fractionIsLarge && lhs.trimmedFractionIsLarge == rhs.trimmedFractionIsLarge
            && lhs.isFinite == rhs.isFinite
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(n.bitPattern)
        hasher.combine(i)
        hasher.combine(v)
        hasher.combine(f)
        hasher.combine(e)
        hasher.combine(integerIsLarge)
    }

    /// The limit of the integer operands: they keep their value modulo 10^18.
    static let limit: UInt64 = 1_000_000_000_000_000_000

    /// Digits pushed one by one, keeping the value modulo 10^18 and whether it ever reached 10^18.
    private struct Accumulator {
        var value: UInt64 = 0
        var isLarge = false

        mutating func push(_ digit: UInt64) {
            value = value * 10 + digit
            if value >= PluralOperands.limit {
                value %= PluralOperands.limit
                isLarge = true
            }
        }
    }
}
