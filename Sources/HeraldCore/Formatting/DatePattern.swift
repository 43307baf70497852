import Foundation

/// One locale's Gregorian date or time pattern in one time zone, read once from an ICU
/// `DateFormatter` and then applied with plain byte building.
///
/// ``compile(from:timeZone:)`` takes the formatter's resolved LDML pattern (after any
/// ``CLDRCorrections`` pattern), its month, weekday and am/pm names (corrected ones included) and the
/// digits it writes, then checks itself against the formatter on probe instants: every month and
/// weekday, both sides of noon and midnight, two-digit-year edges and the zone's DST transitions
/// around now. There is no pattern (and ``LocaleFormatter`` keeps ICU for that key) when the calendar
/// is not Gregorian, when the pattern has a field outside the supported set (`y`, `M`, `L`, `d`,
/// `E`, `a`, `h`, `H`, `K`, `k`, `m`, `s`; notably zone names `z`, which long and full times use), or
/// when a probe differs.
///
/// ``format(_:)`` takes the zone's offset from `TimeZone.secondsFromGMT(for:)` (tens of nanoseconds,
/// DST-aware) and leaves instants outside 1900–2199 to ICU, which switches to the Julian calendar
/// before 1582 and to local mean time in early years.
final class DatePattern: Sendable {
    enum Field: Sendable, Equatable {
        case literal([UInt8])
        /// `y`: the year, no padding; `yy`: its last two digits; `yyy…`: padded to the count.
        case year(width: Int)
        case twoDigitYear
        case month(width: Int)
        case monthName([[UInt8]])
        case day(width: Int)
        case weekday([[UInt8]])
        case dayPeriod
        /// `h` (1–12), `H` (0–23), `K` (0–11), `k` (1–24).
        case hour(HourCycle, width: Int)
        case minute(width: Int)
        case second(width: Int)
    }

    enum HourCycle: Sendable, Equatable {
        case h12, h23, h11, h24
    }

    let fields: [Field]
    let digits: [[UInt8]]
    let am: [UInt8]
    let pm: [UInt8]
    let timeZone: TimeZone
    private let capacity: Int

    private init(fields: [Field], digits: [[UInt8]], am: [UInt8], pm: [UInt8], timeZone: TimeZone) {
        self.fields = fields
        self.digits = digits
        self.am = am
        self.pm = pm
        self.timeZone = timeZone
        let digitBytes = digits.map(\.count).max() ?? 1
        capacity = fields.reduce(0) { total, field in
            switch field {
            case .literal(let bytes): total + bytes.count
            case .monthName(let names), .weekday(let names): total + (names.map(\.count).max() ?? 0)
            case .dayPeriod: total + max(am.count, pm.count)
            case .year(let width): total + max(width, 4) * digitBytes
            default: total + 2 * digitBytes
            }
        }
    }

    /// 1900-01-01T00:00:00Z and 2200-01-01T00:00:00Z.
    static let earliest: Double = -2_208_988_800
    static let latest: Double = 7_258_118_400

    // MARK: Formatting

    /// The formatted instant, or nil when it is left to ICU.
    func format(_ instant: Date) -> String? {
        // The instant as Foundation hands it to ICU (CFDateFormatter): milliseconds since 1970 from
        // the reference-date interval, rounded to nearest; ICU then floors to the second.
        let milliseconds = ((instant.timeIntervalSinceReferenceDate + 978_307_200) * 1000 + 0.5).rounded(.down)
        guard milliseconds >= Self.earliest * 1000, milliseconds < Self.latest * 1000 else { return nil }
        let seconds = Self.floorDivide(Int(milliseconds), 1000)
        let local = seconds + timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds)))
        let days = Self.floorDivide(local, 86_400)
        let secondOfDay = local - days * 86_400
        let (year, month, day) = Self.civil(fromDays: days)
        // 1970-01-01 was a Thursday; weekday names start with Sunday.
        let weekday = Self.modulo(days + 4, 7)
        let hour = secondOfDay / 3600, minute = secondOfDay / 60 % 60, second = secondOfDay % 60

        return String(unsafeUninitializedCapacity: capacity) { out in
            var position = 0
            func write(_ bytes: [UInt8]) {
                for byte in bytes {
                    out[position] = byte
                    position += 1
                }
            }
            func number(_ value: Int, width: Int) {
                var divisor = 1, length = 1
                while value / divisor >= 10 {
                    divisor *= 10
                    length += 1
                }
                for _ in length..<max(width, length) { write(digits[0]) }
                while divisor > 0 {
                    write(digits[value / divisor % 10])
                    divisor /= 10
                }
            }
            for field in fields {
                switch field {
                case .literal(let bytes): write(bytes)
                case .year(let width): number(year, width: width)
                case .twoDigitYear: number(year % 100, width: 2)
                case .month(let width): number(month, width: width)
                case .monthName(let names): write(names[month - 1])
                case .day(let width): number(day, width: width)
                case .weekday(let names): write(names[weekday])
                case .dayPeriod: write(hour < 12 ? am : pm)
                case .hour(let cycle, let width):
                    let shown = switch cycle {
                    case .h12: hour % 12 == 0 ? 12 : hour % 12
                    case .h23: hour
                    case .h11: hour % 12
                    case .h24: hour == 0 ? 24 : hour
                    }
                    number(shown, width: width)
                case .minute(let width): number(minute, width: width)
                case .second(let width): number(second, width: width)
                }
            }
            return position
        }
    }

    private static func floorDivide(_ value: Int, _ divisor: Int) -> Int {
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
    }

    private static func modulo(_ value: Int, _ divisor: Int) -> Int {
        let remainder = value % divisor
        return remainder < 0 ? remainder + divisor : remainder
    }

    /// A proleptic Gregorian date from days since 1970-01-01 (Howard Hinnant's `civil_from_days`;
    /// the inverse of ``Instant/daysSinceEpoch(year:month:day:)``).
    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    /// The date pattern and the time pattern of one locale and zone joined by `glue`: the
    /// `{when}` rendering as one pattern, so it is one lookup and one string.
    static func joining(date: DatePattern, time: DatePattern, glue: DateTimeGlue) -> DatePattern? {
        guard date.digits == time.digits, date.am == time.am, date.pm == time.pm, date.timeZone == time.timeZone else { return nil }
        let separator = [Field.literal(Array(glue.separator.utf8))]
        let fields = glue.dateFirst ? date.fields + separator + time.fields : time.fields + separator + date.fields
        return DatePattern(fields: fields, digits: date.digits, am: date.am, pm: date.pm, timeZone: date.timeZone)
    }

    // MARK: Learning the pattern from ICU

    /// The pattern `formatter` applies in `timeZone` (the formatter's own zone), checked on probes;
    /// nil when it cannot be reproduced.
    static func compile(from formatter: DateFormatter, timeZone: TimeZone) -> DatePattern? {
        guard formatter.calendar.identifier == .gregorian, let locale = formatter.locale, let digits = digits(for: locale)
        else { return nil }
        func utf8(_ text: String) -> [UInt8] { Array(text.utf8) }
        let symbols = (
            months: formatter.monthSymbols.map(utf8), shortMonths: formatter.shortMonthSymbols.map(utf8),
            standaloneMonths: formatter.standaloneMonthSymbols.map(utf8),
            shortStandaloneMonths: formatter.shortStandaloneMonthSymbols.map(utf8),
            weekdays: formatter.weekdaySymbols.map(utf8), shortWeekdays: formatter.shortWeekdaySymbols.map(utf8)
        )
        guard [symbols.months, symbols.shortMonths, symbols.standaloneMonths, symbols.shortStandaloneMonths].allSatisfy({ $0.count == 12 }),
            symbols.weekdays.count == 7, symbols.shortWeekdays.count == 7,
            let tokens = LDMLPattern.tokens(formatter.dateFormat)
        else { return nil }

        var fields: [Field] = []
        for token in tokens {
            switch token {
            case .literal(let text):
                fields.append(.literal(utf8(text)))
            case .field(let letter, let count):
                let field: Field? = switch (letter, count) {
                case ("y", 2): .twoDigitYear
                case ("y", _): .year(width: count)
                case ("M", 1...2), ("L", 1...2): .month(width: count)
                case ("M", 3): .monthName(symbols.shortMonths)
                case ("M", 4): .monthName(symbols.months)
                case ("L", 3): .monthName(symbols.shortStandaloneMonths)
                case ("L", 4): .monthName(symbols.standaloneMonths)
                case ("d", 1...2): .day(width: count)
                case ("E", 1...3): .weekday(symbols.shortWeekdays)
                case ("E", 4): .weekday(symbols.weekdays)
                case ("a", 1...3): .dayPeriod
                case ("h", 1...2): .hour(.h12, width: count)
                case ("H", 1...2): .hour(.h23, width: count)
                case ("K", 1...2): .hour(.h11, width: count)
                case ("k", 1...2): .hour(.h24, width: count)
                case ("m", 1...2): .minute(width: count)
                case ("s", 1...2): .second(width: count)
                default: nil
                }
                guard let field else { return nil }
                fields.append(field)
            }
        }
        let pattern = DatePattern(
            fields: fields, digits: digits, am: utf8(formatter.amSymbol), pm: utf8(formatter.pmSymbol), timeZone: timeZone
        )
        for instant in probes(for: timeZone) {
            if let fast = pattern.format(instant), !fast.utf8.elementsEqual(formatter.string(from: instant).utf8) { return nil }
        }
        return pattern
    }

    /// The digits ICU writes dates with in `locale`: days 1 to 10 of January 1970 with pattern `d`.
    private static func digits(for locale: Locale) -> [[UInt8]]? {
        let formatter = DateFormatter()
        formatter.locale = locale
        formatter.timeZone = .gmt
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.dateFormat = "d"
        var digits = [[UInt8]](repeating: [], count: 10)
        for day in 1...10 {
            let scalars = Array(formatter.string(from: Date(timeIntervalSince1970: Double(day - 1) * 86_400)).unicodeScalars)
            if day < 10 {
                guard scalars.count == 1 else { return nil }
                digits[day] = Array(String(scalars[0]).utf8)
            } else {
                guard scalars.count == 2, Array(String(scalars[0]).utf8) == digits[1] else { return nil }
                digits[0] = Array(String(scalars[1]).utf8)
            }
        }
        guard Set(digits).count == 10 else { return nil }
        return digits
    }

    /// Instants the pattern must reproduce: each month (and so each weekday) of 2025 at times on
    /// both sides of midnight and noon, year edges for two-digit years, the window's ends, and one
    /// second either side of each of the zone's transitions from 2020 to 2030.
    static func probes(for timeZone: TimeZone) -> [Date] {
        var seconds: [Double] = []
        let january2025 = 1_735_689_600.0
        for month in 0..<12 {
            let base = january2025 + Double(month) * 31 * 86_400 + Double(month % 7) * 86_400
            for time in [0.0, 307, 3_599, 36_000, 43_199, 43_200, 46_800.5, 82_800, 86_399.999, 7.9995, 8.9994999, 9.0004, 86_399.9996] {
                seconds.append(base + time)
            }
        }
        seconds += [
            946_684_799, 946_684_800, 1_262_304_000, 1_278_000_000, 4_102_444_799, 0, -1, -86_400.5,
            Self.earliest, Self.earliest + 86_400 * 400, Self.latest - 1, 2_147_483_647, 1_000_000_000,
        ]
        var transition = Date(timeIntervalSince1970: 1_577_836_800)
        for _ in 0..<24 {
            guard let next = timeZone.nextDaylightSavingTimeTransition(after: transition),
                next.timeIntervalSince1970 < 1_893_456_000
            else { break }
            seconds += [next.timeIntervalSince1970 - 1, next.timeIntervalSince1970, next.timeIntervalSince1970 + 3_600]
            transition = next
        }
        return seconds.map { Date(timeIntervalSince1970: $0) }
    }
}

/// The tokens of an LDML date pattern: runs of one pattern letter, and literal text (quoted with
/// `'…'`, `''` for a quote, or any non-letter).
enum LDMLPattern {
    enum Token: Equatable {
        case literal(String)
        case field(Character, count: Int)
    }

    /// nil for an unterminated quote.
    static func tokens(_ pattern: String) -> [Token]? {
        var tokens: [Token] = []
        var literal = ""
        var characters = Array(pattern)[...]
        func flush() {
            if !literal.isEmpty { tokens.append(.literal(literal)) }
            literal = ""
        }
        while let character = characters.first {
            if character == "'" {
                characters.removeFirst()
                if characters.first == "'" {
                    literal.append("'")
                    characters.removeFirst()
                    continue
                }
                var closed = false
                while let inner = characters.first {
                    characters.removeFirst()
                    if inner == "'" {
                        if characters.first == "'" {
                            literal.append("'")
                            characters.removeFirst()
                        } else {
                            closed = true
                            break
                        }
                    } else {
                        literal.append(inner)
                    }
                }
                guard closed else { return nil }
            } else if character.isASCII, character.isLetter {
                flush()
                var count = 0
                while characters.first == character {
                    characters.removeFirst()
                    count += 1
                }
                tokens.append(.field(character, count: count))
            } else {
                literal.append(character)
                characters.removeFirst()
            }
        }
        flush()
        return tokens
    }
}
