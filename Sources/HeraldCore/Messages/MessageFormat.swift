/// A parsed ICU MessageFormat pattern: the text of a notification with its arguments, plurals and
/// selects, ready for a renderer that formats numbers, dates and plural categories with CLDR data.
///
/// The syntax and its quoting follow ICU4J's `MessagePattern` in its default apostrophe mode
/// (`DOUBLE_OPTIONAL`):
///
/// - `''` is one apostrophe, everywhere.
/// - `'` starts quoted literal text only before `{` or `}` (and before `#` directly inside a plural
///   case); the quote ends at the next lone `'`, or at the end of the pattern if none follows.
///   Any other `'` is itself: `it's {n}` needs no doubling.
/// - `#` directly inside a `plural` or `selectordinal` case is the argument's number minus the offset.
///
/// Every pattern this parser accepts means the same in ICU. It is stricter in a few places so that
/// a rule file fails when it is loaded rather than when it is sent: a stray top-level `}`, types ICU
/// knows but Herald does not render (`choice`, `spellout`, `ordinal`, `duration`), number and date
/// styles other than the named ones and `::` skeletons, plural keywords that are not CLDR categories,
/// duplicate cases, and nesting deeper than `MessageFormat.maxNesting`.
public struct MessageFormat: Sendable, Hashable {
    /// One piece of a message.
    public indirect enum Part: Sendable, Hashable {
        /// Literal text, with quoting already removed.
        case text(String)
        /// `{name}`, `{name, number}`, `{name, plural, …}`, …
        case argument(name: String, format: ArgumentFormat)
        /// `#` inside a plural or selectordinal case: the number, minus the offset, formatted as a number.
        case pound
    }

    /// How an argument is formatted.
    ///
    /// Styles are nil when absent or empty; named styles are lowercased (ICU matches them without
    /// regard to case) and skeletons are kept as written, with their `::` and without surrounding space.
    public enum ArgumentFormat: Sendable, Hashable {
        /// `{name}`: the value as text.
        case plain
        /// `{name, number}` (nil style), `{name, number, integer|percent|currency}` or `{name, number, ::skeleton}`.
        case number(style: String?)
        /// `{name, date}` (nil style), `{name, date, short|medium|long|full}` or `{name, date, ::skeleton}`.
        case date(style: String?)
        /// `{name, time}`, with the same styles as dates.
        case time(style: String?)
        /// `{name, plural, offset:N =0 {…} one {…} other {…}}`: cases by CLDR cardinal category.
        case plural(offset: Double, cases: [PluralCase])
        /// `{name, selectordinal, one {#st} two {#nd} few {#rd} other {#th}}`: cases by ordinal category.
        case selectOrdinal(offset: Double, cases: [PluralCase])
        /// `{name, select, female {…} other {…}}`: cases by the argument's text.
        case select(cases: [SelectCase])

        /// The kind of use, without styles or cases.
        public var kind: ArgumentKind {
            switch self {
            case .plain: .plain
            case .number: .number
            case .date: .date
            case .time: .time
            case .plural: .plural
            case .selectOrdinal: .selectOrdinal
            case .select: .select
            }
        }
    }

    /// A CLDR plural category, as used by `plural` and `selectordinal` cases.
    public enum PluralCategory: String, Sendable, Hashable, CaseIterable {
        case zero, one, two, few, many, other
    }

    /// One case of a `plural` or `selectordinal` argument.
    public struct PluralCase: Sendable, Hashable {
        /// What a case matches.
        public enum Selector: Sendable, Hashable {
            /// `=N`: the number (before the offset is subtracted) equals N exactly.
            case exact(Double)
            /// `one`, `few`, …: the number (after the offset is subtracted) is in this category.
            case category(PluralCategory)
        }

        public var selector: Selector
        public var message: [Part]

        public init(_ selector: Selector, _ message: [Part]) {
            self.selector = selector
            self.message = message
        }
    }

    /// One case of a `select` argument.
    public struct SelectCase: Sendable, Hashable {
        /// The text the argument must equal; `other` matches anything else.
        public var keyword: String
        public var message: [Part]

        public init(_ keyword: String, _ message: [Part]) {
            self.keyword = keyword
            self.message = message
        }
    }

    /// How one argument is used, for checking the values a rule passes in.
    public enum ArgumentKind: String, Sendable, Hashable, CaseIterable {
        case plain, number, date, time, plural, selectOrdinal, select
    }

    /// One use of an argument in a pattern.
    public struct Argument: Sendable, Hashable {
        public var name: String
        public var kind: ArgumentKind

        public init(name: String, kind: ArgumentKind) {
            self.name = name
            self.kind = kind
        }
    }

    /// Deepest nesting of plural and select cases a pattern may have; deeper patterns are refused so
    /// that parsing and rendering never exhaust the stack.
    public static let maxNesting = 32

    public var parts: [Part]

    public init(parts: [Part]) {
        self.parts = parts
    }

    /// Parses an ICU MessageFormat pattern.
    public init(parsing pattern: String) throws(MessageFormatError) {
        var parser = MessageFormatParser(pattern: pattern)
        self.parts = try parser.parse()
    }

    /// Every use of every argument, in pattern order, nested cases included. A name used twice
    /// appears twice, possibly with different kinds (`{n, plural, other {{n} items}}`).
    public var arguments: [Argument] {
        var found: [Argument] = []
        Self.collectArguments(in: parts, into: &found)
        return found
    }

    /// The names of all arguments used anywhere in the pattern.
    public var argumentNames: Set<String> {
        Set(arguments.map(\.name))
    }

    private static func collectArguments(in parts: [Part], into found: inout [Argument]) {
        for part in parts {
            guard case .argument(let name, let format) = part else { continue }
            found.append(Argument(name: name, kind: format.kind))
            switch format {
            case .plural(_, let cases), .selectOrdinal(_, let cases):
                for pluralCase in cases { collectArguments(in: pluralCase.message, into: &found) }
            case .select(let cases):
                for selectCase in cases { collectArguments(in: selectCase.message, into: &found) }
            case .plain, .number, .date, .time:
                break
            }
        }
    }
}
