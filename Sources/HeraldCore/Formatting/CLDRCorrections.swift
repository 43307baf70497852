/// Where the ICU data that Foundation bundles differs from CLDR in something a message shows, and
/// what ``LocaleFormatter`` does about it.
///
/// Foundation on Linux carries swift-foundation-icu: ICU 76 (CLDR 46) from Apple's fork, whose
/// locale data has Apple-specific changes. Each row below was checked against CLDR's own data
/// (cldr-json and the ICU resource files generated from CLDR):
///
/// | Locale | Foundation gives | CLDR says | Fix here |
/// |---|---|---|---|
/// | `bn`, `bn-IN` | Latin digits: `12,34,567.89৳` | `defaultNumberingSystem` `beng`: `১২,৩৪,৫৬৭.৮৯৳` | ask ICU for `-u-nu-beng` |
/// | `mr` | Latin digits | `deva` | `-u-nu-deva` |
/// | `ur-IN` | Latin digits | `arabext` | `-u-nu-arabext` |
/// | `en`, `en-*` | medium date + short time joined with ` at ` | medium `dateTimeFormat` and its `atTime` variant (which ICU 72+ uses) are `{1}, {0}` | glue `, ` |
/// | `hi` | times `a h:mm` with day periods `पू`/`अ`: `अ 2:30` | `h:mm a` with `am`/`pm`: `2:30 pm` | CLDR's four time patterns and am/pm |
/// | `hi` | October `अक्तूबर`, `अक्तू॰` | `अक्टूबर`, `अक्टू॰` | CLDR's month names |
/// | `ar` | long and full dates `15 يناير، 2025` (comma before the year) | `d MMMM y`: `15 يناير 2025` | CLDR's long and full date patterns |
/// | `ru` | medium dates `15 июля 2025 г.` (March, June, July spelt out) | abbreviated `мар.`, `июн.`, `июл.`: `15 июл. 2025 г.` | CLDR's abbreviated month names |
/// | `id`, `ms`, … | no space between an alphabetic symbol and digits: `Rp1.234.568`, `IDR1,234,568` | `currencySpacing` inserts U+00A0: `Rp 1.234.568` | the same rule, after formatting |
///
/// Not changed, because CLDR itself is moving to Foundation's value: IDR (also COP, PKR) minor
/// units. Foundation formats them with 0 decimals; CLDR 46 still lists `digits="2"` (with
/// `cashDigits="0"`), and CLDR-11586 changes them to 0. So IDR 1234567.89 is `Rp 1.234.568`.
///
/// An explicit `-u-nu-…` in the requested tag always wins over the numbering corrections
/// (`bn-u-nu-latn` keeps Latin digits).
enum CLDRCorrections {
    // MARK: Numbering systems

    /// CLDR `defaultNumberingSystem` values that Foundation's data replaces with `latn`.
    /// Keys are a language, or a language and region.
    static let numberingSystems: [String: String] = [
        "bn": "beng",
        "mr": "deva",
        "ur-IN": "arabext",
    ]

    /// The tag to hand ICU for a canonical BCP 47 tag: the tag itself, or the tag with CLDR's
    /// default numbering system where Foundation's data differs. Tags with any extension or private
    /// use part are left alone, so a caller's `-u-nu-…` is kept.
    static func correctedTag(for canonical: String) -> String {
        let parts = TagParts(canonical)
        guard !parts.hasExtensions else { return canonical }
        let system = parts.region.flatMap { numberingSystems["\(parts.language)-\($0)"] }
            ?? numberingSystems[parts.language]
        guard let system else { return canonical }
        return canonical + "-u-nu-" + system
    }

    // MARK: Dates and times

    /// CLDR's medium `dateTimeFormat` where Foundation's differs, by language.
    static let dateTimeGlues: [String: DateTimeGlue] = [
        "en": DateTimeGlue(dateFirst: true, separator: ", "),
    ]

    static func dateTimeGlue(for canonical: String) -> DateTimeGlue? {
        dateTimeGlues[TagParts(canonical).language]
    }

    /// CLDR's Gregorian date or time patterns (and day-period names) where Foundation's differ.
    /// A style without an entry keeps Foundation's pattern.
    struct Patterns: Sendable {
        var date: [LocaleFormatter.DateTimeStyle: String] = [:]
        var time: [LocaleFormatter.DateTimeStyle: String] = [:]
        var amSymbol: String?
        var pmSymbol: String?
        /// Format-context month names, wide (`MMMM`) and abbreviated (`MMM`), January first.
        var months: [String]?
        var shortMonths: [String]?
    }

    /// CLDR `hi.xml`: gregorian `timeFormats` and abbreviated `dayPeriods` (ICU's `hi.txt` has the
    /// same, with plain spaces), and October spelt अक्टूबर / अक्टू॰ (Foundation: अक्तूबर / अक्तू॰).
    static let hindi = Patterns(
        time: [.short: "h:mm a", .medium: "h:mm:ss a", .long: "h:mm:ss a z", .full: "h:mm:ss a zzzz"],
        amSymbol: "am", pmSymbol: "pm",
        months: ["जनवरी", "फ़रवरी", "मार्च", "अप्रैल", "मई", "जून", "जुलाई", "अगस्त", "सितंबर", "अक्टूबर", "नवंबर", "दिसंबर"],
        shortMonths: ["जन॰", "फ़र॰", "मार्च", "अप्रैल", "मई", "जून", "जुल॰", "अग॰", "सित॰", "अक्टू॰", "नव॰", "दिस॰"]
    )

    /// CLDR `ru.xml`: abbreviated format months are `мар.`, `июн.`, `июл.` (Foundation spells those
    /// three out in the genitive: `марта`, `июня`, `июля`).
    static let russian = Patterns(
        shortMonths: ["янв.", "февр.", "мар.", "апр.", "мая", "июн.", "июл.", "авг.", "сент.", "окт.", "нояб.", "дек."]
    )

    /// CLDR `ar.xml`: gregorian long and full `dateFormats` have no comma before the year
    /// (Foundation's are `d MMMM، y` and `EEEE، d MMMM، y`).
    static let arabic = Patterns(
        date: [.long: "d MMMM y", .full: "EEEE\u{060C} d MMMM y"]
    )

    /// The corrected patterns for a canonical tag, if any. Callers apply them only to the Gregorian
    /// calendar: other calendars (`ar-SA` uses the Islamic one) have their own CLDR patterns.
    static func patterns(for canonical: String) -> Patterns? {
        let parts = TagParts(canonical)
        switch parts.language {
        // `hi-Latn` is a separate CLDR locale with its own data.
        case "hi" where parts.script == nil || parts.script == "Deva": return hindi
        case "ar" where parts.script == nil || parts.script == "Arab": return arabic
        case "ru" where parts.script == nil || parts.script == "Cyrl": return russian
        default: return nil
        }
    }

    // MARK: Currency spacing

    /// CLDR's `currencySpacing` (the same in root and every locale Herald tests): where a currency
    /// symbol that does not end in a symbol character touches a digit, U+00A0 goes between them.
    /// ICU applies it while formatting, but Foundation's data for some locales (`id`, `ms`) skips it.
    /// Only a letter or mark next to a decimal digit is treated, which in a formatted amount can only
    /// be the symbol's edge; ICU's own output already has the space everywhere else.
    static func applyingCurrencySpacing(to formatted: String) -> String {
        let scalars = formatted.unicodeScalars
        var previous: Unicode.Scalar?
        var needsFix = false
        for scalar in scalars {
            if let previous, touches(previous, scalar) {
                needsFix = true
                break
            }
            previous = scalar
        }
        guard needsFix else { return formatted }
        var result = String.UnicodeScalarView()
        previous = nil
        for scalar in scalars {
            if let previous, touches(previous, scalar) { result.append("\u{00A0}") }
            result.append(scalar)
            previous = scalar
        }
        return String(result)
    }

    private static func touches(_ left: Unicode.Scalar, _ right: Unicode.Scalar) -> Bool {
        (isLetterOrMark(left) && isDigit(right)) || (isDigit(left) && isLetterOrMark(right))
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .decimalNumber
    }

    private static func isLetterOrMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark:
            true
        default:
            false
        }
    }
}

/// The parts of a canonical BCP 47 tag that the corrections look at.
private struct TagParts {
    var language: String
    var script: String?
    var region: String?
    var hasExtensions = false

    init(_ canonical: String) {
        let subtags = canonical.split(separator: "-").map(String.init)
        language = subtags.first ?? ""
        for subtag in subtags.dropFirst() {
            if subtag.count == 1 {
                hasExtensions = true
                break
            }
            if subtag.count == 4, script == nil, region == nil, subtag.allSatisfy(\.isLetter) {
                script = subtag
            } else if region == nil, (subtag.count == 2 && subtag.allSatisfy(\.isLetter))
                || (subtag.count == 3 && subtag.allSatisfy(\.isNumber))
            {
                region = subtag
            }
        }
    }
}
