/// Parses the RFC 9535 singular-query grammar, with `@` allowed as a root:
///
///     singular-query = ("$" / "@") *(S (name-segment / index-segment))
///     name-segment   = "[" string-literal "]" / "." name-first *name-char
///     index-segment  = "[" int "]"            ; int = "0" / ["-"] DIGIT1 *DIGIT
///
/// It reads Unicode scalars (the grammar is defined on code points) and converts a position to a
/// character offset only when it reports an error.
struct ValuePathParser {
    typealias Index = String.Index

    /// I-JSON's exact integer range, which RFC 9535 requires of indexes.
    static let maxIndex = 9_007_199_254_740_991

    let text: String
    let scalars: String.UnicodeScalarView
    var position: Index

    init(text: String) {
        self.text = text
        self.scalars = text.unicodeScalars
        self.position = text.unicodeScalars.startIndex
    }

    mutating func parse() throws(ValuePathError) -> ValuePath {
        guard let first = current else {
            throw error(
                at: position, "expected '$' or '@', found an empty path",
                hint: "write $ for the whole event, $.name for one of its members, or @.name inside for_each")
        }
        let root: ValuePath.Root
        switch first {
        case "$": root = .event
        case "@": root = .element
        default:
            throw error(
                at: position, "expected '$' or '@' at the start of the path, found \(Self.describe(first))",
                hint: "paths start with $ (the event) or @ (the current for_each element), like $.data.amount")
        }
        advance()

        var segments: [ValuePath.Segment] = []
        while position < scalars.endIndex {
            // RFC 9535 allows blank space between segments, but not after the last one.
            let blankStart = position
            while let scalar = current, Self.isBlank(scalar) { advance() }
            guard let scalar = current else {
                throw error(
                    at: blankStart, "unexpected space at the end of the path",
                    hint: "remove the trailing space")
            }
            switch scalar {
            case ".":
                segments.append(try parseDotSegment())
            case "[":
                segments.append(try parseBracketSegment())
            default:
                throw error(
                    at: position, "expected '.' or '[', found \(Self.describe(scalar))",
                    hint: "continue the path with .name, ['key'] or [index], like $.items[0].sku")
            }
        }
        return ValuePath(root: root, segments: segments)
    }

    // MARK: - Segments

    /// `.name`: the shorthand for a member whose name is a plain identifier.
    private mutating func parseDotSegment() throws(ValuePathError) -> ValuePath.Segment {
        advance()  // "."
        guard let first = current else {
            throw error(
                at: position, "expected a member name after '.', found the end of the path",
                hint: "remove the trailing '.', or name the member, like $.data")
        }
        if first == "." {
            throw error(
                at: position, "descendant segments ('..') are not supported",
                hint: "a path names one value: write every step, like $.data.customer.name")
        }
        if first == "*" {
            throw error(
                at: position, "wildcards ('.*') are not supported",
                hint: "a path names one value; to send one message per element, use for_each with @ paths")
        }
        guard ValuePath.isNameFirst(first) else {
            if Self.isDigit(first) {
                throw error(
                    at: position, "expected a member name after '.', found \(Self.describe(first))",
                    hint: "member names cannot start with a digit; write [\(digitsAhead())] for an array element"
                        + " or ['\(digitsAhead())'] for a member named by digits")
            }
            throw error(
                at: position, "expected a member name after '.', found \(Self.describe(first))",
                hint: "member names start with a letter or '_'; for other keys write $['odd key']")
        }
        let start = position
        advance()
        while let scalar = current, ValuePath.isNameChar(scalar) { advance() }
        return .key(String(scalars[start..<position]))
    }

    /// `['key']`, `["key"]` or `[index]`.
    private mutating func parseBracketSegment() throws(ValuePathError) -> ValuePath.Segment {
        advance()  // "["
        guard let scalar = current else {
            throw error(
                at: position, "expected a quoted key or an index after '[', found the end of the path",
                hint: "write ['key'] for a member or [0] for an array element")
        }
        let segment: ValuePath.Segment
        switch scalar {
        case "'", "\"":
            segment = .key(try parseStringLiteral(quote: scalar))
        case "-", "0"..."9":
            segment = .index(try parseIndex())
        case "*":
            throw error(
                at: position, "wildcards ('[*]') are not supported",
                hint: "a path names one value; to send one message per element, use for_each with @ paths")
        case ":":
            throw error(
                at: position, "slices ('[start:end]') are not supported",
                hint: "a path names one value: write one index, like [0] or [-1]")
        case "?":
            throw error(
                at: position, "filters ('[?…]') are not supported",
                hint: "a path names one value; match on event contents in the rule's pattern instead")
        case _ where Self.isBlank(scalar):
            throw error(
                at: position, "unexpected space after '['",
                hint: "write [0] or ['key'] with no spaces inside the brackets")
        default:
            throw error(
                at: position, "expected a quoted key or an index after '[', found \(Self.describe(scalar))",
                hint: "quote member names, like ['\(Self.printable(scalar))'], or write an index like [0]")
        }
        guard let close = current else {
            throw error(
                at: position, "expected ']', found the end of the path",
                hint: "close the bracket, like ['key'] or [0]")
        }
        guard close == "]" else {
            switch close {
            case ",":
                throw error(
                    at: position, "expected ']', found ','",
                    hint: "a path names one value: put one key or index in each pair of brackets")
            case ":":
                throw error(
                    at: position, "expected ']', found ':'",
                    hint: "slices are not supported: a path names one value, like [0] or [-1]")
            default:
                throw error(
                    at: position, "expected ']', found \(Self.describe(close))",
                    hint: "close the bracket right after the key or index, like ['key'] or [0]")
            }
        }
        advance()
        return segment
    }

    // MARK: - Literals

    /// A single- or double-quoted string with JSON-style escapes (RFC 9535 `string-literal`).
    private mutating func parseStringLiteral(quote: Unicode.Scalar) throws(ValuePathError) -> String {
        let opening = position
        advance()
        var value = ""
        while true {
            guard let scalar = current else {
                throw error(
                    at: opening, "the quoted key is not closed",
                    hint: "end it with \(quote) and then ]")
            }
            switch scalar {
            case quote:
                advance()
                return value
            case "\\":
                value.unicodeScalars.append(try parseEscape(quote: quote, opening: opening))
            case "\u{00}"..."\u{1F}":
                throw error(
                    at: position, "\(Self.describe(scalar)) must be escaped inside a quoted key",
                    hint: "write it as \(Self.escapeSuggestion(for: scalar))")
            default:
                value.unicodeScalars.append(scalar)
                advance()
            }
        }
    }

    /// One escape sequence, starting at its backslash.
    private mutating func parseEscape(quote: Unicode.Scalar, opening: Index) throws(ValuePathError) -> Unicode.Scalar {
        let backslash = position
        advance()
        guard let letter = current else {
            throw error(
                at: opening, "the quoted key is not closed",
                hint: "end it with \(quote) and then ]")
        }
        let escaped: Unicode.Scalar
        switch letter {
        case "b": escaped = "\u{08}"
        case "f": escaped = "\u{0C}"
        case "n": escaped = "\n"
        case "r": escaped = "\r"
        case "t": escaped = "\t"
        case "/": escaped = "/"
        case "\\": escaped = "\\"
        case quote: escaped = quote
        case "u":
            return try parseUnicodeEscape(backslash: backslash)
        default:
            let quoteEscape = quote == "'" ? "\\'" : "\\\""
            throw error(
                at: position, "invalid escape '\\\(Self.printable(letter))'",
                hint: "the escapes are \\b \\f \\n \\r \\t \\/ \\\\ \(quoteEscape) and \\uXXXX"
                    + (letter == "'" || letter == "\"" ? "; inside \(quote)…\(quote) write \(Self.printable(letter)) without a backslash" : ""))
        }
        advance()
        return escaped
    }

    /// `\uXXXX`, or a surrogate pair `\uD83D\uDE00`, with `position` just past `\`.
    private mutating func parseUnicodeEscape(backslash: Index) throws(ValuePathError) -> Unicode.Scalar {
        advance()  // "u"
        let high = try parseHex4()
        switch high {
        case 0xD800...0xDBFF:
            let lowStart = position
            guard current == "\\", peek(1) == "u" else {
                throw error(
                    at: backslash, "\\u\(Self.hex4(high)) is the first half of a surrogate pair but no second half follows",
                    hint: "follow it with a low surrogate \\uDC00…\\uDFFF, or write the character itself")
            }
            advance()
            advance()
            let low = try parseHex4()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw error(
                    at: lowStart, "\\u\(Self.hex4(low)) cannot follow the high surrogate \\u\(Self.hex4(high))",
                    hint: "the second half of a surrogate pair is \\uDC00…\\uDFFF")
            }
            let value = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
            guard let scalar = Unicode.Scalar(value) else {
                throw error(at: backslash, "invalid surrogate pair", hint: "write the character itself")
            }
            return scalar
        case 0xDC00...0xDFFF:
            throw error(
                at: backslash, "\\u\(Self.hex4(high)) is the second half of a surrogate pair with no first half",
                hint: "a surrogate pair is \\uD800…\\uDBFF followed by \\uDC00…\\uDFFF; or write the character itself")
        default:
            guard let scalar = Unicode.Scalar(high) else {
                throw error(at: backslash, "invalid \\u escape", hint: "write the character itself")
            }
            return scalar
        }
    }

    private mutating func parseHex4() throws(ValuePathError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let scalar = current, let digit = Self.hexValue(scalar) else {
                throw error(
                    at: position, "expected 4 hex digits after \\u, found \(current.map(Self.describe) ?? "the end of the path")",
                    hint: "write \\u and exactly four hex digits, like \\u00e9")
            }
            value = value << 4 | digit
            advance()
        }
        return value
    }

    /// RFC 9535 `int`: `0`, or an optional `-` and digits without a leading zero, within ±(2^53 − 1).
    private mutating func parseIndex() throws(ValuePathError) -> Int {
        let start = position
        var negative = false
        if current == "-" {
            negative = true
            advance()
        }
        let digitsStart = position
        guard let first = current, Self.isDigit(first) else {
            throw error(
                at: position, "expected a digit after '-', found \(current.map(Self.describe) ?? "the end of the path")",
                hint: "negative indexes count from the end: [-1] is the last element")
        }
        var magnitude = 0
        var tooLarge = false
        while let scalar = current, Self.isDigit(scalar) {
            if magnitude <= Self.maxIndex {
                magnitude = magnitude * 10 + Int(scalar.value - 0x30)
            } else {
                tooLarge = true
            }
            advance()
        }
        let literal = String(scalars[start..<position])
        if first == "0" && position > scalars.index(after: digitsStart) {
            throw error(
                at: digitsStart, "index \(literal) has a leading zero",
                hint: "write indexes without leading zeros, like [\(negative ? "-" : "")\(magnitude)]")
        }
        if negative && magnitude == 0 {
            throw error(
                at: start, "-0 is not a valid index",
                hint: "write [0] for the first element or [-1] for the last")
        }
        if tooLarge || magnitude > Self.maxIndex {
            throw error(
                at: start, "index \(literal) is out of range",
                hint: "indexes are between -\(Self.maxIndex) and \(Self.maxIndex)")
        }
        return negative ? -magnitude : magnitude
    }

    // MARK: - Scanning

    private var current: Unicode.Scalar? {
        position < scalars.endIndex ? scalars[position] : nil
    }

    private func peek(_ distance: Int) -> Unicode.Scalar? {
        var index = position
        for _ in 0..<distance {
            guard index < scalars.endIndex else { return nil }
            index = scalars.index(after: index)
        }
        return index < scalars.endIndex ? scalars[index] : nil
    }

    private mutating func advance() {
        if position < scalars.endIndex { position = scalars.index(after: position) }
    }

    /// The run of digits at the current position, for hints like `write [12]`.
    private func digitsAhead() -> String {
        var end = position
        while end < scalars.endIndex, Self.isDigit(scalars[end]) { end = scalars.index(after: end) }
        return String(scalars[position..<end])
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    /// RFC 9535 `B`: space, tab, line feed, carriage return.
    private static func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r"
    }

    private static func hexValue(_ scalar: Unicode.Scalar) -> UInt32? {
        switch scalar {
        case "0"..."9": scalar.value - 0x30
        case "a"..."f": scalar.value - 0x61 + 10
        case "A"..."F": scalar.value - 0x41 + 10
        default: nil
        }
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private static func escapeSuggestion(for scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\u{08}": "\\b"
        case "\u{0C}": "\\f"
        case "\n": "\\n"
        case "\r": "\\r"
        case "\t": "\\t"
        default: "\\u\(hex4(scalar.value))"
        }
    }

    /// A scalar as it can appear inside a message.
    private static func printable(_ scalar: Unicode.Scalar) -> String {
        scalar.value < 0x20 || scalar.value == 0x7F ? "\\u\(hex4(scalar.value))" : String(scalar)
    }

    private static func describe(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case " ": "a space"
        case "\t": "a tab"
        case "\n", "\r": "a line break"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F:
            "control character U+\(Self.hex4(scalar.value))"
        default: "'\(scalar)'"
        }
    }

    // MARK: - Errors

    private func error(at index: Index, _ message: String, hint: String) -> ValuePathError {
        let offset = text.characterOffset(of: index)
        return ValuePathError(offset: offset, message: "\(message) at character \(offset + 1)", hint: hint)
    }
}
