/// A recursive-descent parser for ICU MessageFormat, following ICU4J `MessagePattern`
/// (`parseMessage`, `parseArg`, `parseSimpleStyle`, `parsePluralOrSelectStyle`) in the default
/// `DOUBLE_OPTIONAL` apostrophe mode.
///
/// It reads Unicode scalars, as ICU reads code points, and converts a position to a character offset
/// only when it reports an error. Names, selectors and white space use ICU's definitions: an
/// identifier is a run of scalars that are neither Pattern_Syntax nor Pattern_White_Space.
struct MessageFormatParser {
    typealias Index = String.Index
    typealias Part = MessageFormat.Part

    /// What a message sits in: decides whether `#` is special and whether `}` ends it.
    enum Context {
        case top
        case pluralCase
        case selectCase
    }

    /// The argument types Herald renders: three simple ones with an optional style, three with cases.
    enum ArgumentType: String, CaseIterable {
        case number, date, time, plural, selectordinal, select

        var hasCases: Bool { self == .plural || self == .selectordinal || self == .select }
    }

    static let numberStyles = ["integer", "percent", "currency"]
    static let dateStyles = ["short", "medium", "long", "full"]
    /// ICU's largest argument number (`MessagePattern.Part.MAX_VALUE`).
    static let maxArgumentNumber = 32767

    let pattern: String
    let scalars: String.UnicodeScalarView
    var position: Index
    /// Where the last quoted text that ran to the end of the pattern started: the likely cause of
    /// a brace that is then never closed.
    var unterminatedQuote: Index?

    init(pattern: String) {
        self.pattern = pattern
        self.scalars = pattern.unicodeScalars
        self.position = pattern.unicodeScalars.startIndex
    }

    mutating func parse() throws(MessageFormatError) -> [Part] {
        try parseMessage(context: .top, opening: nil, depth: 0)
    }

    // MARK: - Messages

    /// Text, arguments and `#` up to the `}` that closes `opening` (or the end, at the top level).
    /// Returns with `position` just past that `}`.
    private mutating func parseMessage(context: Context, opening: Index?, depth: Int) throws(MessageFormatError) -> [Part] {
        var parts: [Part] = []
        var text = ""
        func flush() {
            if !text.isEmpty {
                parts.append(.text(text))
                text = ""
            }
        }
        while let scalar = current {
            let scalarStart = position
            advance()
            switch scalar {
            case "'":
                parseApostrophe(context: context, into: &text)
            case "#" where context == .pluralCase:
                flush()
                parts.append(.pound)
            case "{":
                flush()
                parts.append(try parseArgument(opening: scalarStart, depth: depth))
            case "}":
                guard opening != nil else {
                    throw error(
                        at: scalarStart, "unmatched '}'",
                        hint: "remove it, or write '}' (in apostrophes) to show a brace")
                }
                flush()
                return parts
            default:
                text.unicodeScalars.append(scalar)
            }
        }
        if let opening {
            throw unclosed(opening, what: "this case's message")
        }
        flush()
        return parts
    }

    /// An apostrophe, with `position` just past it: `''` is one apostrophe; before `{`, `}` (or `#`
    /// in a plural case) it starts quoted text that runs to the next lone `'` or to the end;
    /// otherwise it is an apostrophe.
    private mutating func parseApostrophe(context: Context, into text: inout String) {
        guard let next = current else {
            text.append("'")
            return
        }
        if next == "'" {
            text.append("'")
            advance()
            return
        }
        guard next == "{" || next == "}" || (next == "#" && context == .pluralCase) else {
            text.append("'")
            return
        }
        let quoteStart = scalars.index(before: position)
        while let scalar = current {
            advance()
            if scalar == "'" {
                guard current == "'" else { return }
                advance()  // '' inside quoted text is still one apostrophe
            }
            text.unicodeScalars.append(scalar)
        }
        // ICU lets quoted text run to the end of the pattern; remember where, in case a brace is now open.
        unterminatedQuote = quoteStart
    }

    // MARK: - Arguments

    /// `{name}`, `{name, type}`, `{name, type, style}` or `{name, plural|selectordinal|select, cases}`,
    /// with `position` just past the opening `{`. Returns with `position` just past the closing `}`.
    private mutating func parseArgument(opening: Index, depth: Int) throws(MessageFormatError) -> Part {
        skipWhiteSpace()
        let name = try parseArgumentName(opening: opening)
        skipWhiteSpace()
        guard let afterName = current else { throw unclosed(opening, what: "the argument '\(name)'") }
        if afterName == "}" {
            advance()
            return .argument(name: name, format: .plain)
        }
        guard afterName == "," else {
            throw error(
                at: position, "expected ',' or '}' after the argument name '\(name)', found \(describeCurrent)",
                hint: "argument names are one word of letters, digits and '_', like {first_name};"
                    + " a type follows a comma, like {\(name), number}")
        }
        advance()  // ","
        skipWhiteSpace()

        let typeStart = position
        while let scalar = current, scalar.isASCII, scalar.properties.isAlphabetic { advance() }
        let typeName = String(scalars[typeStart..<position])
        skipWhiteSpace()
        guard let afterType = current else { throw unclosed(opening, what: "the argument '\(name)'") }
        if typeName.isEmpty {
            throw error(
                at: typeStart, "expected an argument type after ',', found \(describeCurrent)",
                hint: "the types are number, date, time, plural, selectordinal and select, like {\(name), number}")
        }
        guard afterType == "," || afterType == "}" else {
            throw error(
                at: position, "expected ',' or '}' after the argument type '\(typeName)', found \(describeCurrent)",
                hint: "write {\(name), \(typeName)} or {\(name), \(typeName), style}")
        }
        let type = try argumentType(typeName, at: typeStart)

        if afterType == "}" {
            if type.hasCases {
                throw error(
                    at: position, "a \(type) argument needs cases after another ','",
                    hint: type == .select
                        ? "like {\(name), select, female {she} other {they}}"
                        : "like {\(name), \(type), one {# item} other {# items}}")
            }
            advance()
            return .argument(name: name, format: simpleFormat(type, style: nil))
        }
        advance()  // ","

        if !type.hasCases {
            let style = try parseSimpleStyle(type: type, name: name, opening: opening)
            advance()  // "}"
            return .argument(name: name, format: simpleFormat(type, style: style))
        }
        let format = try parseCases(type: type, name: name, opening: opening, depth: depth)
        advance()  // "}"
        return .argument(name: name, format: format)
    }

    /// An ICU argument name or number: a pattern identifier, where all-digit names must not have
    /// leading zeros.
    private mutating func parseArgumentName(opening: Index) throws(MessageFormatError) -> String {
        let start = position
        while let scalar = current, Self.isIdentifierScalar(scalar) { advance() }
        guard start < position else {
            guard let scalar = current else { throw unclosed(opening, what: "the argument") }
            if scalar == "}" || scalar == "," {
                throw error(
                    at: position, "empty argument name",
                    hint: "put the name of a parameter inside the braces, like {name}; to show a brace, write '{'")
            }
            throw error(
                at: position, "\(Self.describe(scalar)) cannot start an argument name",
                hint: "argument names are letters, digits and '_', like {first_name}; to show a brace, write '{'")
        }
        let name = String(scalars[start..<position])
        if name.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) {
            if name.unicodeScalars.count > 1 && name.unicodeScalars.first == "0" {
                throw error(
                    at: start, "argument number '\(name)' has a leading zero",
                    hint: "write numbered arguments without leading zeros, like {0} or {1}")
            }
            if name.unicodeScalars.count > 5 || (Int(name) ?? Int.max) > Self.maxArgumentNumber {
                throw error(
                    at: start, "argument number \(name) is too large",
                    hint: "numbered arguments go up to \(Self.maxArgumentNumber); use a name instead")
            }
        }
        return name
    }

    /// The type a name stands for, or an error naming the closest known type.
    private func argumentType(_ typeName: String, at start: Index) throws(MessageFormatError) -> ArgumentType {
        // ICU compares type names without regard to case.
        let lowered = typeName.lowercased()
        if let type = ArgumentType(rawValue: lowered) { return type }
        let hint: String
        switch lowered {
        case "choice":
            hint = "choice is deprecated in ICU and not supported; use plural, like {n, plural, one {# item} other {# items}}"
        case "ordinal":
            hint = "for 1st, 2nd, 3rd use selectordinal, like {n, selectordinal, one {#st} two {#nd} few {#rd} other {#th}}"
        case "spellout", "duration":
            hint = "Herald does not render \(lowered); use number"
        default:
            let known = "the types are number, date, time, plural, selectordinal and select"
            if let closest = Suggestion.closest(to: lowered, among: ArgumentType.allCases.map(\.rawValue)) {
                hint = "did you mean '\(closest)'? \(known)"
            } else {
                hint = known
            }
        }
        throw error(at: start, "unknown argument type '\(typeName)'", hint: hint)
    }

    private func simpleFormat(_ type: ArgumentType, style: String?) -> MessageFormat.ArgumentFormat {
        switch type {
        case .date: .date(style: style)
        case .time: .time(style: style)
        default: .number(style: style)
        }
    }

    // MARK: - Styles

    /// The style of a number, date or time argument, with `position` just past its comma. Like ICU,
    /// the style runs to the next unbalanced `}` and keeps apostrophes; unlike ICU, only the named
    /// styles and `::` skeletons are accepted, since Herald renders from CLDR data, not ICU patterns.
    /// Returns nil for an empty style, and leaves `position` at the closing `}`.
    private mutating func parseSimpleStyle(type: ArgumentType, name: String, opening: Index) throws(MessageFormatError) -> String? {
        let start = position
        var nestedBraces = 0
        scan: while let scalar = current {
            switch scalar {
            case "'":
                let quote = position
                advance()
                while let quoted = current, quoted != "'" { advance() }
                guard current != nil else {
                    throw error(
                        at: quote, "the quoted text in this \(type) style is never closed",
                        hint: "close it with another ', or write '' for an apostrophe")
                }
            case "{":
                nestedBraces += 1
            case "}":
                if nestedBraces == 0 { break scan }
                nestedBraces -= 1
            default:
                break
            }
            advance()
        }
        guard current != nil else { throw unclosed(opening, what: "the \(type) argument '\(name)'") }

        var styleStart = start
        while styleStart < position, scalars[styleStart].properties.isPatternWhitespace {
            styleStart = scalars.index(after: styleStart)
        }
        var styleEnd = position
        while styleEnd > styleStart, scalars[scalars.index(before: styleEnd)].properties.isPatternWhitespace {
            styleEnd = scalars.index(before: styleEnd)
        }
        let style = String(scalars[styleStart..<styleEnd])
        if style.isEmpty { return nil }
        if style.hasPrefix("::") { return style }
        // ICU matches the named styles without regard to case.
        let named = type == .number ? Self.numberStyles : Self.dateStyles
        let lowered = style.lowercased()
        if named.contains(lowered) { return lowered }

        let list = type == .number
            ? "number styles are integer, percent, currency, or a skeleton like ::currency/EUR"
            : "\(type) styles are short, medium, long, full, or a skeleton like ::\(type == .date ? "yMMMd" : "jmm")"
        let hint: String
        if let closest = Suggestion.closest(to: lowered, among: named) {
            hint = "did you mean '\(closest)'? \(list)"
        } else {
            hint = list
        }
        throw error(at: styleStart, "unknown \(type) style '\(style)'", hint: hint)
    }

    // MARK: - Cases

    /// The cases of a plural, selectordinal or select argument, with `position` just past the comma
    /// after the type. Leaves `position` at the closing `}`.
    private mutating func parseCases(
        type: ArgumentType, name: String, opening: Index, depth: Int
    ) throws(MessageFormatError) -> MessageFormat.ArgumentFormat {
        let isPlural = type != .select
        var offset: Double = 0
        var offsetSeen = false
        var pluralCases: [MessageFormat.PluralCase] = []
        var pluralSelectors: Set<MessageFormat.PluralCase.Selector> = []
        var selectCases: [MessageFormat.SelectCase] = []
        var selectKeywords: Set<String> = []
        var hasOther = false

        while true {
            skipWhiteSpace()
            guard let scalar = current else { throw unclosed(opening, what: "the \(type) argument '\(name)'") }
            if scalar == "}" {
                guard hasOther else {
                    throw error(
                        at: position, "the \(type) argument '\(name)' has no 'other' case",
                        hint: "ICU needs 'other' as the fallback: add other {…} before this '}'")
                }
                break
            }

            let selectorStart = position
            var pluralSelector: MessageFormat.PluralCase.Selector?
            var keyword = ""
            if isPlural && scalar == "=" {
                advance()
                let value = try parseNumber(
                    after: "'='", hint: "exact-value cases look like =0 {no items} or =1 {one item}")
                pluralSelector = .exact(value)
                keyword = String(scalars[selectorStart..<position])
            } else {
                while let next = current, Self.isIdentifierScalar(next) { advance() }
                guard selectorStart < position else {
                    throw error(
                        at: position, "expected a case keyword, found \(describeCurrent)",
                        hint: isPlural
                            ? "plural cases are zero, one, two, few, many, other or =N, each followed by {message}"
                            : "select cases are words like female or other, each followed by {message}")
                }
                keyword = String(scalars[selectorStart..<position])
                if isPlural && keyword == "offset" && current == ":" {
                    if offsetSeen {
                        throw error(at: selectorStart, "the offset is given twice", hint: "keep one offset:N")
                    }
                    if !pluralCases.isEmpty {
                        throw error(
                            at: selectorStart, "offset: must come before the first case",
                            hint: "write it right after '\(type),', like {\(name), \(type), offset:1 =0 {…} other {…}}")
                    }
                    advance()  // ":"
                    skipWhiteSpace()
                    offset = try parseNumber(after: "'offset:'", hint: "write the offset as a number, like offset:1")
                    offsetSeen = true
                    continue
                }
                if isPlural {
                    guard let category = MessageFormat.PluralCategory(rawValue: keyword) else {
                        throw invalidCategory(keyword, at: selectorStart, type: type)
                    }
                    pluralSelector = .category(category)
                    hasOther = hasOther || category == .other
                } else {
                    hasOther = hasOther || keyword == "other"
                }
            }

            if let pluralSelector {
                guard pluralSelectors.insert(pluralSelector).inserted else {
                    throw error(
                        at: selectorStart, "duplicate case '\(keyword)' in the \(type) argument '\(name)'",
                        hint: "each case may appear once; remove or merge one of them")
                }
            } else {
                guard selectKeywords.insert(keyword).inserted else {
                    throw error(
                        at: selectorStart, "duplicate case '\(keyword)' in the select argument '\(name)'",
                        hint: "each case may appear once; remove or merge one of them")
                }
            }

            skipWhiteSpace()
            guard current == "{" else {
                throw error(
                    at: position, "expected '{' after the case '\(keyword)', found \(describeCurrent)",
                    hint: "each case is followed by its message in braces, like \(keyword) {…}")
            }
            let messageOpening = position
            guard depth < MessageFormat.maxNesting else {
                throw error(
                    at: messageOpening, "cases are nested more than \(MessageFormat.maxNesting) levels deep",
                    hint: "split the message, or move some choices into the rule")
            }
            advance()  // "{"
            let message = try parseMessage(
                context: isPlural ? .pluralCase : .selectCase, opening: messageOpening, depth: depth + 1)
            if let pluralSelector {
                pluralCases.append(MessageFormat.PluralCase(pluralSelector, message))
            } else {
                selectCases.append(MessageFormat.SelectCase(keyword, message))
            }
        }

        switch type {
        case .plural: return .plural(offset: offset, cases: pluralCases)
        case .selectordinal: return .selectOrdinal(offset: offset, cases: pluralCases)
        default: return .select(cases: selectCases)
        }
    }

    /// A number as ICU reads it after `=` or `offset:`: a run of digits, signs, dots and exponents.
    private mutating func parseNumber(after what: String, hint: String) throws(MessageFormatError) -> Double {
        let start = position
        while let scalar = current, Self.isNumberScalar(scalar) { advance() }
        guard start < position else {
            throw error(at: position, "expected a number after \(what), found \(describeCurrent)", hint: hint)
        }
        let literal = String(scalars[start..<position])
        guard let value = Double(literal), value.isFinite else {
            throw error(at: start, "'\(literal)' is not a number", hint: hint)
        }
        return value
    }

    private func invalidCategory(_ keyword: String, at start: Index, type: ArgumentType) -> MessageFormatError {
        let categories = MessageFormat.PluralCategory.allCases.map(\.rawValue)
        let list = "\(type) cases are zero, one, two, few, many, other, or =N for an exact number"
        let hint: String
        if keyword == "offset" {
            hint = "write the offset as offset:N with no space before the colon, before the first case"
        } else if let closest = Suggestion.closest(to: keyword, among: categories) {
            hint = "did you mean '\(closest)'? \(list)"
        } else {
            hint = list
        }
        return error(at: start, "'\(keyword)' is not a plural category", hint: hint)
    }

    // MARK: - Scanning

    private var current: Unicode.Scalar? {
        position < scalars.endIndex ? scalars[position] : nil
    }

    private mutating func advance() {
        if position < scalars.endIndex { position = scalars.index(after: position) }
    }

    private mutating func skipWhiteSpace() {
        while let scalar = current, scalar.properties.isPatternWhitespace { advance() }
    }

    /// ICU's pattern identifier characters (`PatternProps.skipIdentifier`).
    private static func isIdentifierScalar(_ scalar: Unicode.Scalar) -> Bool {
        !scalar.properties.isPatternSyntax && !scalar.properties.isPatternWhitespace
    }

    /// ICU's `skipDouble` set, minus `∞` (only choice patterns allow infinity).
    private static func isNumberScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "0"..."9", "+", "-", ".", "e", "E": true
        default: false
        }
    }

    private var describeCurrent: String {
        current.map(Self.describe) ?? "the end of the pattern"
    }

    private static func describe(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case " ": return "a space"
        case "\t": return "a tab"
        case "\n", "\r": return "a line break"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F || scalar.properties.isPatternWhitespace {
                let digits = String(scalar.value, radix: 16, uppercase: true)
                return "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
            }
            return "'\(scalar)'"
        }
    }

    // MARK: - Errors

    /// A `{` that is never closed. When quoted text ran to the end of the pattern, the apostrophe
    /// that started it is the real culprit, so the error points there.
    private func unclosed(_ opening: Index, what: String) -> MessageFormatError {
        if let quote = unterminatedQuote, quote > opening {
            let quoteOffset = pattern.characterOffset(of: quote)
            return MessageFormatError(
                offset: quoteOffset,
                message: "the apostrophe at character \(quoteOffset + 1) starts quoted text that runs to the end"
                    + " of the pattern, so the '{' at character \(pattern.characterOffset(of: opening) + 1) is never closed",
                hint: "write '' for an apostrophe, or end the quoted text with another '")
        }
        return error(
            at: opening, "unmatched '{': \(what) is never closed",
            hint: "close it with '}'; to show a brace, write '{'")
    }

    private func error(at index: Index, _ message: String, hint: String) -> MessageFormatError {
        let offset = pattern.characterOffset(of: index)
        return MessageFormatError(offset: offset, message: "\(message) at character \(offset + 1)", hint: hint)
    }
}
