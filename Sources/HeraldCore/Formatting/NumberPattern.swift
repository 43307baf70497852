import Foundation

/// One locale's number, percent or currency format, learned once from ICU and then applied with
/// plain byte building: a fraction of a microsecond a value instead of ICU's several.
///
/// ``compile(scale:reference:)`` asks ICU (through `reference`, the formatting it stands in for)
/// for a few chosen values and reads the format off the answers: the prefix and suffix of positive
/// and negative values (currency symbol, spacing, bidi marks), the ten digits of the numbering
/// system, the decimal and group separators, the primary and secondary group sizes (Indian lakh
/// grouping), the minimum grouping digits (Spanish `1234`), and the minimum and maximum fraction
/// digits (the currency's minor units). It then checks itself against `reference` on probe values
/// (rounding ties, zero, negatives, large values); if the format has a shape it cannot read, or any
/// probe differs, there is no pattern and ``LocaleFormatter`` keeps using ICU for that key.
///
/// ``format(_:)`` rounds half to even, as ICU does, and returns nil for what it leaves to ICU:
/// coefficients wider than 64 bits, exponents beyond ±40, and negative values that round to zero.
final class NumberPattern: Sendable {
    let digits: [[UInt8]]
    let positivePrefix: [UInt8]
    let positiveSuffix: [UInt8]
    let negativePrefix: [UInt8]
    let negativeSuffix: [UInt8]
    let decimalSeparator: [UInt8]
    let groupSeparator: [UInt8]
    /// 0 when the format does not group.
    let primaryGroup: Int
    let secondaryGroup: Int
    /// Grouping starts only when the integer part has at least `primaryGroup + minimumGrouping` digits.
    let minimumGrouping: Int
    let minimumFraction: Int
    let maximumFraction: Int
    /// Powers of ten the value is multiplied by before formatting: 2 for percent.
    let scale: Int
    private let maximumDigitBytes: Int

    private init(
        digits: [[UInt8]], positivePrefix: [UInt8], positiveSuffix: [UInt8], negativePrefix: [UInt8],
        negativeSuffix: [UInt8], decimalSeparator: [UInt8], groupSeparator: [UInt8], primaryGroup: Int,
        secondaryGroup: Int, minimumGrouping: Int, minimumFraction: Int, maximumFraction: Int, scale: Int
    ) {
        self.digits = digits
        self.positivePrefix = positivePrefix
        self.positiveSuffix = positiveSuffix
        self.negativePrefix = negativePrefix
        self.negativeSuffix = negativeSuffix
        self.decimalSeparator = decimalSeparator
        self.groupSeparator = groupSeparator
        self.primaryGroup = primaryGroup
        self.secondaryGroup = secondaryGroup
        self.minimumGrouping = minimumGrouping
        self.minimumFraction = minimumFraction
        self.maximumFraction = maximumFraction
        self.scale = scale
        maximumDigitBytes = digits.map(\.count).max() ?? 1
    }

    // MARK: Formatting

    /// The formatted value, or nil when this value is left to ICU.
    func format(_ value: Decimal) -> String? {
        guard let parts = DecimalParts(value) else { return nil }
        return format(parts)
    }

    func format(_ value: DecimalParts) -> String? {
        var coefficient = value.coefficient
        var exponent = value.exponent + scale
        guard exponent >= -40, exponent <= 40 else { return nil }

        // Round half to even to `maximumFraction` decimals.
        if exponent < -maximumFraction {
            let dropped = -exponent - maximumFraction
            if dropped > 19 {
                // coefficient < 2^64 < 0.5 × 10^20: the value rounds to zero.
                coefficient = 0
            } else {
                let power = Self.powersOfTen[dropped]
                var quotient = coefficient / power
                let remainder = coefficient % power
                let half = power / 2
                if remainder > half || (remainder == half && quotient & 1 == 1) { quotient += 1 }
                coefficient = quotient
            }
            exponent = -maximumFraction
        }
        if coefficient == 0 {
            // ICU shows "-0" for negatives that round to zero; leave that case to it.
            guard !value.isNegative || value.coefficient == 0 else { return nil }
            exponent = 0
        }
        // Drop trailing zeros beyond `minimumFraction`.
        while exponent < -minimumFraction, coefficient % 10 == 0 {
            coefficient /= 10
            exponent += 1
        }

        // The coefficient's digits, most significant first, then any zeros of a positive exponent.
        var coefficientDigits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &coefficientDigits) { buffer -> String? in
            var count = 0
            var rest = coefficient
            repeat {
                buffer[count] = UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest != 0
            // Reverse into most-significant-first order.
            var low = 0, high = count - 1
            while low < high {
                buffer.swapAt(low, high)
                low += 1
                high -= 1
            }
            let fractionDigits = exponent < 0 ? -exponent : 0
            let trailingZeros = exponent > 0 ? exponent : 0
            let integerFromCoefficient = max(count - fractionDigits, 0)
            let integerCount = max(integerFromCoefficient + trailingZeros, 1)
            let shownFraction = max(fractionDigits, minimumFraction)
            let separators = groupingApplies(integerCount) ? separatorCount(integerCount) : 0
            let negative = value.isNegative
            let prefix = negative ? negativePrefix : positivePrefix
            let suffix = negative ? negativeSuffix : positiveSuffix
            let capacity = prefix.count + suffix.count + (integerCount + shownFraction) * maximumDigitBytes
                + separators * groupSeparator.count + (shownFraction > 0 ? decimalSeparator.count : 0)
            let digitsOf = UnsafeRawBufferPointer(rebasing: buffer[0..<count])

            return String(unsafeUninitializedCapacity: capacity) { out in
                var position = 0
                func write(_ bytes: [UInt8]) {
                    for byte in bytes {
                        out[position] = byte
                        position += 1
                    }
                }
                write(prefix)
                let grouped = separators > 0
                for index in 0..<integerCount {
                    if grouped, index > 0, separatorBefore(index, of: integerCount) { write(groupSeparator) }
                    // Leading part: coefficient digits, then the exponent's zeros; "0" when there are none.
                    let digit: UInt8 = index < integerFromCoefficient ? digitsOf[index] : 0
                    write(digits[Int(digit)])
                }
                if shownFraction > 0 {
                    write(decimalSeparator)
                    for index in 0..<shownFraction {
                        // Fraction digit `index`: from the coefficient's tail (with leading zeros
                        // when it is shorter than the fraction), then zeros up to the minimum.
                        var digit: UInt8 = 0
                        if index < fractionDigits {
                            let fromEnd = fractionDigits - index
                            if fromEnd <= count { digit = digitsOf[count - fromEnd] }
                        }
                        write(digits[Int(digit)])
                    }
                }
                write(suffix)
                return position
            }
        }
    }

    private func groupingApplies(_ integerCount: Int) -> Bool {
        primaryGroup > 0 && integerCount >= primaryGroup + minimumGrouping
    }

    private func separatorCount(_ integerCount: Int) -> Int {
        let beyondPrimary = integerCount - primaryGroup
        return beyondPrimary <= 0 ? 0 : 1 + (beyondPrimary - 1) / secondaryGroup
    }

    /// Whether a group separator goes before integer digit `index` (0 the most significant).
    private func separatorBefore(_ index: Int, of integerCount: Int) -> Bool {
        let fromRight = integerCount - index
        if fromRight == primaryGroup { return true }
        return fromRight > primaryGroup && (fromRight - primaryGroup) % secondaryGroup == 0
    }

    private static let powersOfTen: [UInt64] = (0...19).map { power in
        (0..<power).reduce(1 as UInt64) { product, _ in product * 10 }
    }

    // MARK: Learning the format from ICU

    /// Reads the format that `reference` applies to values × 10^`scale` and checks it on probes;
    /// nil when the format has a shape this type cannot reproduce.
    static func compile(scale: Int, reference: (Decimal) -> String) -> NumberPattern? {
        guard DecimalParts.isLayoutVerified else { return nil }
        func icu(_ text: String) -> [Unicode.Scalar]? {
            guard let value = Decimal(string: "\(text)e-\(scale)", locale: Locale(identifier: "en_US_POSIX")) else { return nil }
            return Array(reference(value).unicodeScalars)
        }
        func utf8(_ scalars: some Sequence<Unicode.Scalar>) -> [UInt8] {
            Array(String(String.UnicodeScalarView(scalars)).utf8)
        }

        // Prefix, suffix and body of ±1.111111 and ±2.222222: the scalars that differ are digits.
        struct Shape {
            var prefix: [Unicode.Scalar]
            var suffix: [Unicode.Scalar]
            var body: [Unicode.Scalar]
            var one: Unicode.Scalar
            var two: Unicode.Scalar
            var decimalSeparator: [Unicode.Scalar]
            var fractionDigits: Int
        }
        func shape(_ sign: String) -> Shape? {
            guard let ones = icu(sign + "1.111111"), let twos = icu(sign + "2.222222"), ones.count == twos.count else { return nil }
            let differing = ones.indices.filter { ones[$0] != twos[$0] }
            guard let first = differing.first, let last = differing.last else { return nil }
            let fraction = Array(differing.dropFirst())
            // Fraction digits are contiguous and follow a non-empty separator.
            for (offset, index) in fraction.enumerated() where offset > 0 {
                guard index == fraction[offset - 1] + 1 else { return nil }
            }
            let separator = fraction.first.map { Array(ones[(first + 1)..<$0]) } ?? []
            guard fraction.isEmpty ? first == last : !separator.isEmpty else { return nil }
            return Shape(
                prefix: Array(ones[..<first]), suffix: Array(ones[(last + 1)...]), body: Array(ones[first...last]),
                one: ones[first], two: twos[first], decimalSeparator: separator, fractionDigits: fraction.count
            )
        }
        guard let positive = shape(""), let negative = shape("-"),
            negative.body == positive.body, negative.one == positive.one, negative.two == positive.two,
            positive.fractionDigits < 6
        else { return nil }

        /// The body of an ICU answer with the positive prefix and suffix removed.
        func body(_ text: String) -> [Unicode.Scalar]? {
            guard let scalars = icu(text), scalars.count > positive.prefix.count + positive.suffix.count,
                scalars.starts(with: positive.prefix), scalars.reversed().starts(with: positive.suffix.reversed())
            else { return nil }
            return Array(scalars[positive.prefix.count..<(scalars.count - positive.suffix.count)])
        }

        // The ten digits: the integer k starts with digit k.
        var digitScalars: [Unicode.Scalar] = []
        for digit in 0...9 {
            guard let found = body(String(digit))?.first else { return nil }
            digitScalars.append(found)
        }
        guard Set(digitScalars).count == 10, digitScalars[1] == positive.one, digitScalars[2] == positive.two else { return nil }
        let zero = digitScalars[0], one = digitScalars[1]

        // Minimum fraction digits: what 1 shows after its integer digit.
        guard let unit = body("1"), unit.first == one else { return nil }
        let minimumFraction: Int
        if unit.count == 1 {
            minimumFraction = 0
        } else {
            let tail = Array(unit.dropFirst())
            guard tail.starts(with: positive.decimalSeparator) else { return nil }
            let zeros = tail.dropFirst(positive.decimalSeparator.count)
            guard !zeros.isEmpty, zeros.allSatisfy({ $0 == zero }) else { return nil }
            minimumFraction = zeros.count
        }
        guard minimumFraction <= positive.fractionDigits else { return nil }

        /// The integer part of a repunit's body: its fraction (separator and zeros) removed.
        func integerPart(ofOnes count: Int) -> [Unicode.Scalar]? {
            guard var scalars = body(String(repeating: "1", count: count)) else { return nil }
            if minimumFraction > 0 {
                let fraction = positive.decimalSeparator + Array(repeating: zero, count: minimumFraction)
                guard scalars.count > fraction.count, Array(scalars.suffix(fraction.count)) == fraction else { return nil }
                scalars.removeLast(fraction.count)
            }
            guard scalars.filter({ $0 == one }).count == count else { return nil }
            return scalars
        }

        // Grouping: the runs of ones in a 13-digit repunit, and the separator between them.
        guard let long = integerPart(ofOnes: 13) else { return nil }
        var runs: [Int] = []
        var separators: [[Unicode.Scalar]] = []
        var index = 0
        while index < long.count {
            var end = index
            if long[index] == one {
                while end < long.count, long[end] == one { end += 1 }
                runs.append(end - index)
            } else {
                while end < long.count, long[end] != one { end += 1 }
                separators.append(Array(long[index..<end]))
            }
            index = end
        }
        guard runs.count == separators.count + 1, long.first == one, long.last == one else { return nil }
        var primaryGroup = 0, secondaryGroup = 0, minimumGrouping = 1
        var groupSeparator: [Unicode.Scalar] = []
        if let separator = separators.first {
            guard separators.allSatisfy({ $0 == separator }), runs.count >= 3, let primary = runs.last else { return nil }
            let secondary = runs[runs.count - 2]
            guard runs.dropFirst().dropLast().allSatisfy({ $0 == secondary }), let leading = runs.first, leading <= secondary else { return nil }
            primaryGroup = primary
            secondaryGroup = secondary
            groupSeparator = separator
            // The shortest repunit that is grouped.
            guard let shortest = (1...(primary + 4)).first(where: { count in
                integerPart(ofOnes: count).map { $0.count > count } ?? false
            }) else { return nil }
            minimumGrouping = shortest - primary
            guard minimumGrouping >= 1 else { return nil }
        }

        let pattern = NumberPattern(
            digits: digitScalars.map { utf8([$0]) },
            positivePrefix: utf8(positive.prefix), positiveSuffix: utf8(positive.suffix),
            negativePrefix: utf8(negative.prefix), negativeSuffix: utf8(negative.suffix),
            decimalSeparator: utf8(positive.decimalSeparator), groupSeparator: utf8(groupSeparator),
            primaryGroup: primaryGroup, secondaryGroup: secondaryGroup, minimumGrouping: minimumGrouping,
            minimumFraction: minimumFraction, maximumFraction: positive.fractionDigits, scale: scale
        )
        for text in probes {
            guard let value = Decimal(string: "\(text)e-\(scale)", locale: Locale(identifier: "en_US_POSIX")) else { return nil }
            if let fast = pattern.format(value), !fast.utf8.elementsEqual(reference(value).utf8) { return nil }
        }
        return pattern
    }

    /// Values the learned format must reproduce exactly (as value × 10^-scale): ties in each
    /// direction, carries into a new digit and a new group, zeros, negatives, large and tiny values.
    static let probes: [String] = [
        "0", "1", "-1", "2", "9", "10", "-10", "0.5", "-0.5", "1.5", "2.5", "-2.5", "3.5", "0.05", "0.15", "0.25",
        "0.125", "0.135", "0.005", "0.015", "0.0005", "0.0015", "1.0005", "1.0015", "0.995", "9.995", "99.5",
        "999.5", "999.9995", "9999.995", "99999.995", "999999.5", "0.001", "0.0001", "0.1", "0.01", "42.42",
        "100", "1000", "1234", "-1234", "10000", "12345", "100000", "123456", "1000000", "1234567.891",
        "-1234567.891", "12345678.9", "123456789", "1234567890.12", "1000000000000", "12345678901234.5",
        "-98765432109876.54321", "123456789012345678", "18446744073709551615", "100000000000000000000", "-7.77777",
        "3.14159265358979", "0.999999", "-0.999999", "0.0000005",
    ]
}
