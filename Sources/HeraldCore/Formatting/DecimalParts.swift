import Foundation

/// A `Decimal` as sign, integer coefficient and power of ten, read without Foundation's decimal
/// arithmetic (an addition or `description` costs microseconds on Linux; this costs nanoseconds).
///
/// `Decimal` has no public accessor for its coefficient, so this reads the value's bytes in the
/// NSDecimal layout that swift-foundation keeps (byte 0 the exponent, bytes 4–19 eight 16-bit
/// little-endian words of the coefficient). That layout is checked once per process against
/// `Decimal.description` (``isLayoutVerified``), and every read checks the exponent against the public
/// `exponent`; when either check fails, `init` returns nil and callers use ICU.
struct DecimalParts: Equatable {
    var isNegative: Bool
    /// The coefficient; values whose coefficient needs more than 64 bits are not read.
    var coefficient: UInt64
    /// The value is `coefficient × 10^exponent`.
    var exponent: Int

    init(isNegative: Bool, coefficient: UInt64, exponent: Int) {
        self.isNegative = isNegative
        self.coefficient = coefficient
        self.exponent = exponent
    }

    init?(_ value: Decimal) {
        guard Self.isLayoutVerified, let parts = Self.read(value) else { return nil }
        self = parts
    }

    private static func read(_ value: Decimal) -> DecimalParts? {
        guard MemoryLayout<Decimal>.size == 20, value.isFinite, !value.isNaN else { return nil }
        return withUnsafeBytes(of: value) { bytes -> DecimalParts? in
            let exponent = Int(Int8(bitPattern: bytes[0]))
            var coefficient: UInt64 = 0
            for word in 0..<8 {
                let low = UInt64(bytes[4 + 2 * word]), high = UInt64(bytes[5 + 2 * word])
                let bits = low | high << 8
                if word >= 4 {
                    guard bits == 0 else { return nil }
                } else {
                    coefficient |= bits << (16 * UInt64(word))
                }
            }
            // Zero's exponent is meaningless (and `exponent` reports it as 0).
            if coefficient == 0 { return DecimalParts(isNegative: false, coefficient: 0, exponent: 0) }
            guard exponent == value.exponent else { return nil }
            return DecimalParts(isNegative: value.sign == .minus, coefficient: coefficient, exponent: exponent)
        }
    }

    /// Whether `read` agrees with `Decimal.description` on values of every shape it handles.
    static let isLayoutVerified: Bool = {
        let samples = [
            "0", "1", "-1", "7", "10", "-0.5", "1234567.89", "-1234.5678", "0.000123", "1e20", "-9.99",
            "65535", "65536", "4294967296", "123456789012345678", "18446744073709551615", "0.125",
        ]
        for text in samples {
            guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")),
                let parts = read(value), parts.plainText == value.description
            else { return false }
        }
        return true
    }()

    /// `-1234.5`, `0.001`, `100000`: the form `Decimal.description` uses.
    var plainText: String {
        var digits = String(coefficient)
        if exponent > 0 {
            digits += String(repeating: "0", count: exponent)
        } else if exponent < 0 {
            let fraction = -exponent
            if digits.count <= fraction { digits = String(repeating: "0", count: fraction - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -fraction))
            while digits.hasSuffix("0") { digits.removeLast() }
            if digits.hasSuffix(".") { digits.removeLast() }
        }
        return isNegative && coefficient != 0 ? "-" + digits : digits
    }
}
