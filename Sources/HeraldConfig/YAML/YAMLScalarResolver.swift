import HeraldCore

/// Gives scalars their values under the YAML 1.2 core schema.
///
/// | plain text                                        | value                  |
/// |---------------------------------------------------|------------------------|
/// | (empty), `~`, `null`, `Null`, `NULL`              | null                   |
/// | `true` `True` `TRUE` `false` `False` `FALSE`      | bool                   |
/// | `[-+]?[0-9]+`, `0x[0-9a-fA-F]+`, `0o[0-7]+`       | number                 |
/// | `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` | number             |
/// | anything else (`yes`, `no`, `on`, `NO`, `1_000`)  | string                 |
///
/// Quoted and block scalars are strings unless tagged. Non-finite floats: a plain `.inf`, `-.inf`
/// or `.nan` stays the *string* it spells, because JSON (and so every Herald value) has no
/// infinity or NaN and a rule never needs one; the decoder then reports "expected a number" where
/// a number was wanted. An explicit `!!float .inf`, and a literal too large for a `Double`
/// (`1e999`), are errors rather than silently becoming something else.
///
/// A number's `literal` is the text as written when that text is also a valid JSON number
/// (`42`, `-0.5`, `1e3`); otherwise (`0x1F`, `0o17`, `+5`, `.5`, `007`) it is the canonical
/// decimal form, so that writing the literal back out always yields valid JSON.
enum YAMLScalarResolver {
    static func resolve(
        _ text: String, style: YAMLScalar.Style, tag: YAMLTag, at mark: SourceMark
    ) throws(YAMLError) -> JSONValue {
        switch tag {
        case .none:
            return style == .plain ? try plainValue(text, at: mark) : .string(text)
        case .nonSpecific, .str:
            return .string(text)
        case .int:
            guard let number = try integer(text, at: mark) else {
                throw YAMLError(
                    mark: mark, message: "the value is not an integer (tagged !!int)",
                    hint: "write a decimal, 0x hex or 0o octal integer, or remove the tag"
                )
            }
            return .number(number)
        case .float:
            if let number = try integer(text, at: mark) { return .number(number) }
            if let number = try float(text, at: mark) { return .number(number) }
            if isNonFinite(text) {
                throw YAMLError(
                    mark: mark, message: "the !!float value is not a finite number",
                    hint: "Herald numbers are JSON numbers, which cannot be infinite or NaN"
                )
            }
            throw YAMLError(
                mark: mark, message: "the value is not a number (tagged !!float)",
                hint: "write a number such as 0.5 or 1e3, or remove the tag"
            )
        case .bool:
            guard case .bool(let value)? = boolean(text) else {
                throw YAMLError(
                    mark: mark, message: "the value is not a boolean (tagged !!bool)",
                    hint: "write true or false"
                )
            }
            return .bool(value)
        case .null:
            guard isNull(text) else {
                throw YAMLError(
                    mark: mark, message: "the value is not null (tagged !!null)",
                    hint: "write null or ~, or leave the value empty"
                )
            }
            return .null
        case .seq, .map, .merge, .unsupported:
            throw tag.unsupportedError(at: mark, on: "scalar")
        }
    }

    /// An untagged plain scalar's value.
    static func plainValue(_ text: String, at mark: SourceMark) throws(YAMLError) -> JSONValue {
        if isNull(text) { return .null }
        if let bool = boolean(text) { return bool }
        if let number = try integer(text, at: mark) { return .number(number) }
        if let number = try float(text, at: mark) { return .number(number) }
        return .string(text)
    }

    static func isNull(_ text: String) -> Bool {
        text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    static func boolean(_ text: String) -> JSONValue? {
        switch text {
        case "true", "True", "TRUE": .bool(true)
        case "false", "False", "FALSE": .bool(false)
        default: nil
        }
    }

    static func isNonFinite(_ text: String) -> Bool {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN": true
        default: false
        }
    }

    /// `[-+]?[0-9]+`, `0x[0-9a-fA-F]+` or `0o[0-7]+`; nil for other text. An integer that
    /// overflows a `Double` is an error.
    static func integer(_ text: String, at mark: SourceMark) throws(YAMLError) -> JSONNumber? {
        let utf8 = Array(text.utf8)
        if utf8.count > 2, utf8[0] == UInt8(ascii: "0"), utf8[1] == UInt8(ascii: "x") || utf8[1] == UInt8(ascii: "o") {
            let radix = utf8[1] == UInt8(ascii: "x") ? 16 : 8
            var value = 0.0
            for byte in utf8[2...] {
                guard let digit = digitValue(byte), digit < radix else { return nil }
                value = value * Double(radix) + Double(digit)
            }
            return try finite(JSONNumber(value), text: text, at: mark)
        }
        var digits = utf8[...]
        if let first = digits.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.allSatisfy(isDecimalDigit), let value = Double(text) else { return nil }
        return try finite(number(value, text: utf8), text: text, at: mark)
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`; nil for other text. A literal that
    /// overflows a `Double` is an error.
    static func float(_ text: String, at mark: SourceMark) throws(YAMLError) -> JSONNumber? {
        let utf8 = Array(text.utf8)
        guard isCoreFloat(utf8), let value = Double(text) else { return nil }
        return try finite(number(value, text: utf8), text: text, at: mark)
    }

    private static func finite(_ number: JSONNumber, text: String, at mark: SourceMark) throws(YAMLError) -> JSONNumber {
        guard number.value.isFinite else {
            throw YAMLError(
                mark: mark, message: "the number is too large for a double",
                hint: "numbers must fit a 64-bit float; quote the value to keep it as text"
            )
        }
        return number
    }

    private static func number(_ value: Double, text: [UInt8]) -> JSONNumber {
        isJSONNumber(text) ? JSONNumber(value, literal: String(decoding: text, as: UTF8.self)) : JSONNumber(value)
    }

    private static func isCoreFloat(_ s: [UInt8]) -> Bool {
        var i = 0
        if i < s.count, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { i += 1 }
        let intStart = i
        while i < s.count, isDecimalDigit(s[i]) { i += 1 }
        let intDigits = i - intStart
        var fracDigits = 0
        if i < s.count, s[i] == UInt8(ascii: ".") {
            i += 1
            let fracStart = i
            while i < s.count, isDecimalDigit(s[i]) { i += 1 }
            fracDigits = i - fracStart
        }
        guard intDigits > 0 || fracDigits > 0 else { return false }
        if i < s.count, s[i] == UInt8(ascii: "e") || s[i] == UInt8(ascii: "E") {
            i += 1
            if i < s.count, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { i += 1 }
            let expStart = i
            while i < s.count, isDecimalDigit(s[i]) { i += 1 }
            guard i > expStart else { return false }
        }
        return i == s.count
    }

    /// RFC 8259: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`.
    static func isJSONNumber(_ s: [UInt8]) -> Bool {
        var i = 0
        if i < s.count, s[i] == UInt8(ascii: "-") { i += 1 }
        guard i < s.count, isDecimalDigit(s[i]) else { return false }
        if s[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while i < s.count, isDecimalDigit(s[i]) { i += 1 }
        }
        if i < s.count, s[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < s.count, isDecimalDigit(s[i]) { i += 1 }
            guard i > start else { return false }
        }
        if i < s.count, s[i] == UInt8(ascii: "e") || s[i] == UInt8(ascii: "E") {
            i += 1
            if i < s.count, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { i += 1 }
            let start = i
            while i < s.count, isDecimalDigit(s[i]) { i += 1 }
            guard i > start else { return false }
        }
        return i == s.count
    }

    private static func isDecimalDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func digitValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A")) + 10
        default: nil
        }
    }
}
