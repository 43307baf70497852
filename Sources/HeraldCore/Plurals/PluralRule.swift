/// One CLDR plural rule condition, compiled: `v = 0 and i % 10 = 2..4 and i % 100 != 12..14`.
///
/// The syntax is TR35's "Language Plural Rules":
///
/// ```
/// condition     = and_condition ('or' and_condition)*
/// and_condition = relation ('and' relation)*
/// relation      = operand ('%' value)? ('=' | '!=') range_list
/// operand       = 'n' | 'i' | 'v' | 'w' | 'f' | 't' | 'c' | 'e'
/// range_list    = (value | value '..' value) (',' range_list)?
/// ```
///
/// Samples (`@integer …`, `@decimal …`) may follow and are ignored. An empty condition is always
/// true. `x = 2..4` holds when x is an integer from 2 to 4, so `n = 2..4` is false for 2.5 and
/// `n % 10 = 1` is false for 11.5 (its remainder is 1.5); `!=` is the negation of `=`.
///
/// Evaluation reads precompiled relations and integer operands: it allocates nothing.
struct PluralRule: Sendable, Hashable {
    /// A number the rule reads.
    enum Operand: Sendable, Hashable {
        case n, i, v, w, f, t, e
    }

    /// `operand % modulus = ranges`, or `!=` when negated.
    struct Relation: Sendable, Hashable {
        var operand: Operand
        /// Nil when the relation takes no remainder.
        var modulus: UInt64?
        var isNegated: Bool
        var ranges: [ClosedRange<UInt64>]
    }

    /// Alternatives joined by `or`, each a list of relations joined by `and`.
    var alternatives: [[Relation]]

    /// The text of the condition, without samples.
    var source: String

    /// Largest value a rule may name: operands keep their value modulo 10^18.
    static let maximumValue = PluralOperands.limit - 1

    init(parsing text: String) throws(PluralRuleError) {
        var parser = Parser(text: text)
        alternatives = try parser.parseCondition()
        source = parser.condition
    }

    /// Whether the rule holds for these operands.
    func matches(_ operands: PluralOperands) -> Bool {
        if alternatives.isEmpty { return true }
        return alternatives.contains { relations in
            relations.allSatisfy { $0.holds(for: operands) }
        }
    }
}

extension PluralRule.Relation {
    func holds(for operands: PluralOperands) -> Bool {
        guard let value = value(of: operands) else { return isNegated }
        let found = ranges.contains { $0.contains(value) }
        return found != isNegated
    }

    /// The operand, after the remainder, as an integer; nil when it is no integer (`n` of 1.5) or
    /// not known (the remainder of a number of 19 digits or more by a modulus that does not divide 10^18).
    private func value(of operands: PluralOperands) -> UInt64? {
        let raw: UInt64
        let isLarge: Bool
        switch operand {
        case .n:
            guard operands.t == 0, !operands.trimmedFractionIsLarge else { return nil }
            (raw, isLarge) = (UInt64(operands.i), operands.integerIsLarge)
        case .i: (raw, isLarge) = (UInt64(operands.i), operands.integerIsLarge)
        case .f: (raw, isLarge) = (UInt64(operands.f), operands.fractionIsLarge)
        case .t: (raw, isLarge) = (UInt64(operands.t), operands.trimmedFractionIsLarge)
        case .v: (raw, isLarge) = (UInt64(operands.v), false)
        case .w: (raw, isLarge) = (UInt64(operands.w), false)
        case .e: (raw, isLarge) = (UInt64(operands.e), false)
        }
        guard let modulus else { return isLarge ? nil : raw }
        if isLarge, PluralOperands.limit % modulus != 0 { return nil }
        return raw % modulus
    }
}

extension PluralRule {
    private struct Parser {
        let text: String
        let bytes: [UInt8]
        var position = 0

        init(text: String) {
            self.text = text
            let utf8 = Array(text.utf8)
            // Samples start at the first `@`; they say what the rule matches but take no part in it.
            bytes = Array(utf8.prefix { $0 != UInt8(ascii: "@") })
        }

        /// The condition, whitespace trimmed and without samples.
        var condition: String {
            String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }

        mutating func parseCondition() throws(PluralRuleError) -> [[Relation]] {
            skipSpace()
            if position == bytes.count { return [] }
            var alternatives: [[Relation]] = []
            repeat {
                var relations: [Relation] = []
                repeat {
                    relations.append(try parseRelation())
                } while consumeKeyword("and")
                alternatives.append(relations)
            } while consumeKeyword("or")
            skipSpace()
            guard position == bytes.count else { throw error("expected `and`, `or` or the end of the rule") }
            return alternatives
        }

        private mutating func parseRelation() throws(PluralRuleError) -> Relation {
            skipSpace()
            let operand: Operand
            switch peek() {
            case UInt8(ascii: "n"): operand = .n
            case UInt8(ascii: "i"): operand = .i
            case UInt8(ascii: "v"): operand = .v
            case UInt8(ascii: "w"): operand = .w
            case UInt8(ascii: "f"): operand = .f
            case UInt8(ascii: "t"): operand = .t
            case UInt8(ascii: "c"), UInt8(ascii: "e"): operand = .e
            default: throw error("expected an operand (n, i, v, w, f, t, c or e)")
            }
            position += 1
            if let next = peek(), isLetter(next) { throw error("expected `%`, `=` or `!=` after the operand") }
            skipSpace()
            var modulus: UInt64?
            if peek() == UInt8(ascii: "%") {
                position += 1
                skipSpace()
                let start = position
                let value = try parseValue()
                guard value > 0 else {
                    position = start
                    throw error("the modulus must not be 0")
                }
                modulus = value
                skipSpace()
            }
            let isNegated: Bool
            if peek() == UInt8(ascii: "=") {
                isNegated = false
                position += 1
            } else if peek() == UInt8(ascii: "!"), peek(1) == UInt8(ascii: "=") {
                isNegated = true
                position += 2
            } else {
                throw error("expected `=` or `!=`")
            }
            var ranges: [ClosedRange<UInt64>] = []
            repeat {
                skipSpace()
                let start = position
                let lower = try parseValue()
                var upper = lower
                if peek() == UInt8(ascii: "."), peek(1) == UInt8(ascii: ".") {
                    position += 2
                    upper = try parseValue()
                    guard lower <= upper else {
                        position = start
                        throw error("the range ends before it starts")
                    }
                }
                ranges.append(lower...upper)
                skipSpace()
            } while consume(UInt8(ascii: ","))
            return Relation(operand: operand, modulus: modulus, isNegated: isNegated, ranges: ranges)
        }

        private mutating func parseValue() throws(PluralRuleError) -> UInt64 {
            skipSpace()
            var value: UInt64 = 0
            let start = position
            while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
                guard value <= PluralRule.maximumValue else {
                    position = start
                    throw error("the value is larger than 10^18 - 1")
                }
                position += 1
            }
            guard position > start else { throw error("expected a number") }
            return value
        }

        private mutating func consumeKeyword(_ keyword: String) -> Bool {
            skipSpace()
            let saved = position
            for byte in keyword.utf8 {
                guard peek() == byte else {
                    position = saved
                    return false
                }
                position += 1
            }
            if let next = peek(), isLetter(next) {
                position = saved
                return false
            }
            return true
        }

        private mutating func consume(_ byte: UInt8) -> Bool {
            skipSpace()
            guard peek() == byte else { return false }
            position += 1
            return true
        }

        private mutating func skipSpace() {
            while let byte = peek(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") {
                position += 1
            }
        }

        private func peek(_ ahead: Int = 0) -> UInt8? {
            position + ahead < bytes.count ? bytes[position + ahead] : nil
        }

        private func isLetter(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
        }

        private func error(_ message: String) -> PluralRuleError {
            PluralRuleError(message: message, offset: position, rule: text)
        }
    }
}
