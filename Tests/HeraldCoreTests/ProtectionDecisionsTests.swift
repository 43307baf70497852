import Foundation
import Testing

@testable import HeraldCore

// The pure decisions behind conversations and customer protection: quiet hours (with changes of
// clocks), pacing, expiry, dedupe keys, opt-out words and reply keywords. No clock is read: every
// test passes its instants.

/// An instant from RFC 3339 text; the tests only use well-formed ones.
private func at(_ text: String) throws -> Date {
    try #require(ISO8601DateFormatter().date(from: text), "bad test instant \(text)")
}

private func zone(_ identifier: String) throws -> TimeZone {
    try #require(TimeZone(identifier: identifier))
}

private func time(_ text: String) throws -> QuietHours.TimeOfDay {
    try #require(QuietHours.TimeOfDay(parsing: text))
}

private func quiet(_ from: String, _ to: String) throws -> QuietHours {
    QuietHours(from: try time(from), to: try time(to))
}

@Suite struct QuietHoursTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var from: String
        var to: String
        var zone: String
        var instant: String
        /// nil: the same instant (outside quiet hours).
        var allowed: String?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        // Asia/Kolkata: +05:30 all year.
        Case(name: "Kolkata, before the window", from: "22:00", to: "07:00", zone: "Asia/Kolkata",
             instant: "2025-03-14T16:29:59Z", allowed: nil),
        Case(name: "Kolkata, at the start of the window", from: "22:00", to: "07:00", zone: "Asia/Kolkata",
             instant: "2025-03-14T16:30:00Z", allowed: "2025-03-15T01:30:00Z"),
        Case(name: "Kolkata, before midnight", from: "22:00", to: "07:00", zone: "Asia/Kolkata",
             instant: "2025-03-14T17:00:00Z", allowed: "2025-03-15T01:30:00Z"),
        Case(name: "Kolkata, after midnight", from: "22:00", to: "07:00", zone: "Asia/Kolkata",
             instant: "2025-03-14T22:00:00Z", allowed: "2025-03-15T01:30:00Z"),
        Case(name: "Kolkata, at the end of the window", from: "22:00", to: "07:00", zone: "Asia/Kolkata",
             instant: "2025-03-15T01:30:00Z", allowed: nil),
        // Asia/Jakarta: +07:00 all year.
        Case(name: "Jakarta, 03:00 local", from: "22:00", to: "07:00", zone: "Asia/Jakarta",
             instant: "2025-03-14T20:00:00Z", allowed: "2025-03-15T00:00:00Z"),
        Case(name: "Jakarta, midday", from: "22:00", to: "07:00", zone: "Asia/Jakarta",
             instant: "2025-03-14T05:00:00Z", allowed: nil),
        // America/Sao_Paulo: -03:00 since Brazil dropped summer time in 2019. The night of
        // 1–2 November 2025 would once have started it.
        Case(name: "São Paulo, 23:00 on the night summer time used to start", from: "22:00", to: "07:00", zone: "America/Sao_Paulo",
             instant: "2025-11-02T02:00:00Z", allowed: "2025-11-02T10:00:00Z"),
        Case(name: "São Paulo, summer", from: "22:00", to: "07:00", zone: "America/Sao_Paulo",
             instant: "2026-01-15T04:00:00Z", allowed: "2026-01-15T10:00:00Z"),
        // America/New_York: clocks go forward at 02:00 on 9 March 2025 (EST -5 → EDT -4)…
        Case(name: "New York, a night the clocks go forward", from: "22:00", to: "07:00", zone: "America/New_York",
             instant: "2025-03-09T04:00:00Z", allowed: "2025-03-09T11:00:00Z"),
        Case(name: "New York, 'to' falls in the skipped hour: the moment of the jump", from: "22:00", to: "02:30", zone: "America/New_York",
             instant: "2025-03-09T05:00:00Z", allowed: "2025-03-09T07:00:00Z"),
        Case(name: "New York, just after the jump", from: "22:00", to: "02:30", zone: "America/New_York",
             instant: "2025-03-09T07:00:00Z", allowed: nil),
        // …and back at 02:00 on 2 November 2025 (EDT → EST).
        Case(name: "New York, a night the clocks go back", from: "22:00", to: "07:00", zone: "America/New_York",
             instant: "2025-11-02T03:00:00Z", allowed: "2025-11-02T12:00:00Z"),
        Case(name: "New York, 'to' happens twice: the first one", from: "22:00", to: "01:30", zone: "America/New_York",
             instant: "2025-11-02T04:00:00Z", allowed: "2025-11-02T05:30:00Z"),
        Case(name: "New York, the repeated hour is not quiet again", from: "22:00", to: "01:30", zone: "America/New_York",
             instant: "2025-11-02T06:15:00Z", allowed: nil),
        // Europe/Lisbon: clocks go forward at 01:00 on 30 March 2025 (WET +0 → WEST +1).
        Case(name: "Lisbon, 'from' falls in the skipped hour: quiet from the jump", from: "01:30", to: "06:00", zone: "Europe/Lisbon",
             instant: "2025-03-30T01:00:00Z", allowed: "2025-03-30T05:00:00Z"),
        Case(name: "Lisbon, just before the jump", from: "01:30", to: "06:00", zone: "Europe/Lisbon",
             instant: "2025-03-30T00:59:59Z", allowed: nil),
        // A window within one day.
        Case(name: "UTC, a lunchtime window", from: "12:00", to: "14:00", zone: "UTC",
             instant: "2025-03-14T13:00:00Z", allowed: "2025-03-14T14:00:00Z"),
        Case(name: "UTC, before a lunchtime window", from: "12:00", to: "14:00", zone: "UTC",
             instant: "2025-03-14T11:59:00Z", allowed: nil),
        Case(name: "UTC, after a lunchtime window", from: "12:00", to: "14:00", zone: "UTC",
             instant: "2025-03-14T23:00:00Z", allowed: nil),
    ]

    @Test(arguments: cases)
    func nextAllowed(_ test: Case) throws {
        let hours = try quiet(test.from, test.to)
        let instant = try at(test.instant)
        let expected = try test.allowed.map(at) ?? instant
        #expect(hours.nextAllowed(at: instant, timeZone: try zone(test.zone)) == expected)
        #expect(hours.isQuiet(at: instant, timeZone: try zone(test.zone)) == (test.allowed != nil))
    }

    @Test func timesOfDayParse() {
        #expect(QuietHours.TimeOfDay(parsing: "22:00") == QuietHours.TimeOfDay(hour: 22, minute: 0))
        #expect(QuietHours.TimeOfDay(parsing: "7:05")?.description == "07:05")
        for bad in ["24:00", "22:60", "22", "22:0", "-1:00", "22:00:00", "ab:cd", " 7:00", ""] {
            #expect(QuietHours.TimeOfDay(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func aWindowOfNoLengthIsNeverQuiet() throws {
        let instant = try at("2025-03-14T23:00:00Z")
        #expect(try quiet("22:00", "22:00").nextAllowed(at: instant, timeZone: try zone("UTC")) == instant)
    }

    @Test func fractionalSecondsInsideTheWindowStillWaitForTheEnd() throws {
        let instant = try at("2025-03-14T23:00:00Z").addingTimeInterval(0.25)
        #expect(try quiet("22:00", "07:00").nextAllowed(at: instant, timeZone: try zone("UTC")) == (try at("2025-03-15T07:00:00Z")))
    }
}

@Suite struct PacingTests {
    let fivePerHour = Pacing(limit: 5, per: .seconds(3600))

    @Test func underTheLimitSendsNow() throws {
        let now = try at("2025-03-14T10:45:00Z")
        #expect(fivePerHour.decide(sentTimes: [], now: now) == nil)
        let four = try ["10:00", "10:10", "10:20", "10:30"].map { try at("2025-03-14T\($0):00Z") }
        #expect(fivePerHour.decide(sentTimes: four, now: now) == nil)
    }

    @Test func atTheLimitWaitsForTheOldestToLeaveTheWindow() throws {
        let now = try at("2025-03-14T10:45:00Z")
        let five = try ["10:40", "10:00", "10:20", "10:30", "10:10"].map { try at("2025-03-14T\($0):00Z") }
        #expect(fivePerHour.decide(sentTimes: five, now: now) == (try at("2025-03-14T11:00:00Z")))
    }

    @Test func messagesOlderThanTheWindowDoNotCount() throws {
        let now = try at("2025-03-14T10:45:00Z")
        let sent = try ["09:30", "09:45", "10:00", "10:10", "10:20", "10:30"].map { try at("2025-03-14T\($0):00Z") }
        // 09:30 and 09:45 have left the window (09:45 exactly at its edge): four remain.
        #expect(fivePerHour.decide(sentTimes: sent, now: now) == nil)
    }

    @Test func overTheLimitWaitsUntilEnoughSlotsFree() throws {
        // Six sent in the last hour (an earlier, larger limit): two must leave before the sixth may go.
        let now = try at("2025-03-14T10:45:00Z")
        let six = try ["10:00", "10:05", "10:10", "10:20", "10:30", "10:40"].map { try at("2025-03-14T\($0):00Z") }
        #expect(fivePerHour.decide(sentTimes: six, now: now) == (try at("2025-03-14T11:05:00Z")))
    }

    @Test func oncePerDay() throws {
        let daily = Pacing(limit: 1, per: .seconds(86_400))
        let sent = [try at("2025-03-14T08:00:00Z")]
        #expect(daily.decide(sentTimes: sent, now: try at("2025-03-14T20:00:00Z")) == (try at("2025-03-15T08:00:00Z")))
        #expect(daily.decide(sentTimes: sent, now: try at("2025-03-15T08:00:00Z")) == nil)
    }
}

@Suite struct ExpiryTests {
    @Test func aMessageExpiresAtItsDeadline() throws {
        let accepted = try at("2025-03-14T10:00:00Z")
        #expect(!Expiry.isExpired(acceptedAt: accepted, expires: .seconds(900), now: try at("2025-03-14T10:14:59Z")))
        #expect(Expiry.isExpired(acceptedAt: accepted, expires: .seconds(900), now: try at("2025-03-14T10:15:00Z")))
        #expect(Expiry.deadline(acceptedAt: accepted, expires: .seconds(900)) == (try at("2025-03-14T10:15:00Z")))
    }

    @Test func withoutExpiresNothingExpires() throws {
        let accepted = try at("2025-03-14T10:00:00Z")
        #expect(!Expiry.isExpired(acceptedAt: accepted, expires: nil, now: try at("2026-03-14T10:00:00Z")))
        #expect(Expiry.deadline(acceptedAt: accepted, expires: nil) == nil)
    }
}

@Suite struct DedupeTests {
    let event: JSONValue = ["data": ["flight": "XH 417", "revision": 2, "code": "2"]]

    @Test func theKeyIsScopedToTheRuleAndTheRecipient() throws {
        let dedupe = Dedupe(key: [try ValuePath(parsing: "$.data.flight"), try ValuePath(parsing: "$.data.revision")])
        let key = dedupe.scopedKey(ruleID: "flight-delay-notice", recipient: "+6281298765432", event: event, element: nil)
        #expect(key == "flight-delay-notice\u{1F}+6281298765432\u{1F}\"XH 417\"\u{1F}2")
        #expect(key != dedupe.scopedKey(ruleID: "flight-delay-notice", recipient: "+919820012345", event: event, element: nil))
    }

    @Test func aStringAndANumberAreDifferentKeys() throws {
        let byNumber = Dedupe(key: [try ValuePath(parsing: "$.data.revision")])
        let byString = Dedupe(key: [try ValuePath(parsing: "$.data.code")])
        #expect(byNumber.scopedKey(ruleID: "r", recipient: "a", event: event, element: nil)
            != byString.scopedKey(ruleID: "r", recipient: "a", event: event, element: nil))
    }

    @Test func aMissingValueMeansNoDedupe() throws {
        let dedupe = Dedupe(key: [try ValuePath(parsing: "$.data.flight"), try ValuePath(parsing: "$.data.missing")])
        #expect(dedupe.scopedKey(ruleID: "r", recipient: "a", event: event, element: nil) == nil)
    }

    @Test func theElementIsReadUnderForEach() throws {
        let dedupe = Dedupe(key: [try ValuePath(parsing: "@.booking")])
        let element: JSONValue = ["booking": "K7QX2M"]
        #expect(dedupe.scopedKey(ruleID: "r", recipient: "a", event: event, element: element) == "r\u{1F}a\u{1F}\"K7QX2M\"")
    }

    @Test func theWindowSuppressesRepeats() throws {
        let dedupe = Dedupe(key: [try ValuePath(parsing: "$.data.flight")], window: .seconds(3600))
        let sent = try at("2025-03-14T10:00:00Z")
        #expect(dedupe.suppresses(lastSent: sent, now: try at("2025-03-14T10:59:59Z")))
        #expect(!dedupe.suppresses(lastSent: sent, now: try at("2025-03-14T11:00:00Z")))
        #expect(!dedupe.suppresses(lastSent: nil, now: sent))
        #expect(Dedupe(key: []).window == .seconds(86_400))
    }
}

@Suite struct OptOutKeywordsTests {
    @Test(arguments: [
        ("STOP", "en"), ("stop", nil), ("  Stop. ", "pt-BR"), ("STOP!", "hi-IN"), ("unsubscribe", "en-IN"),
        ("Sair", "pt-BR"), ("PARAR", "pt-BR"), ("baja", "es-MX"), ("Berhenti", "id-ID"), ("cancel", nil), ("quit", "en"),
    ] as [(String, String?)])
    func theDefaultWordsOptOut(_ text: String, _ locale: String?) {
        #expect(OptOutKeywords.defaults.matches(text, locale: locale))
    }

    @Test(arguments: ["STOP please", "Stoop", "", "   ", "don't stop", "S T O P", "sim"])
    func otherRepliesDoNot(_ text: String) {
        #expect(!OptOutKeywords.defaults.matches(text, locale: "en"))
    }

    @Test func aWordOfAnyLocaleOptsOutWithTheRecipientsLocaleFirst() throws {
        let words = OptOutKeywords(["en": ["STOP"], "pt-BR": ["SAIR", "STOP"]])
        #expect(words.matches("sair", locale: "en"))
        let match = try #require(words.keyword(matching: "stop", locale: "pt-BR"))
        #expect(match.locale == "pt-BR")
        #expect(words.keyword(matching: "stop", locale: "en")?.locale == "en")
    }

    @Test func configuredLocalesReplaceTheirDefaultsOnly() {
        let merged = OptOutKeywords.merging(configured: ["pt-br": ["SAIR"], "es": [], "fr": ["ARRET"]])
        #expect(merged.words["pt-br"] == ["SAIR"])
        #expect(merged.words["pt-BR"] == nil)
        #expect(merged.words["es"] == nil)
        #expect(merged.words["en"] == ["STOP", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"])
        #expect(!merged.matches("parar", locale: "pt-BR"))
        #expect(!merged.matches("baja", locale: "es"))
        #expect(merged.matches("arrêt", locale: "fr"))
    }
}

@Suite struct ReplyKeywordsTests {
    static let buttons = [
        Template.Button(id: "confirm", titles: [("en", "Yes, it was me")],
                        keywords: ["en": ["YES", "Y"], "pt-BR": ["SIM", "S"], "hi": ["HAAN", "HA", "हाँ"]]),
        Template.Button(id: "block", titles: [("en", "No, block my card")],
                        keywords: ["en": ["NO", "N"], "pt-BR": ["NÃO", "N"], "hi": ["NAHI", "नहीं"]]),
    ]

    @Test(arguments: [
        ("YES", "en", "confirm"), (" yes ", "en-IN", "confirm"), ("Yes!", nil, "confirm"), ("y.", "en", "confirm"),
        ("sim", "pt-BR", "confirm"), ("Sím", "pt-BR", "confirm"), ("nao", "pt-BR", "block"), ("NÃO!!", "pt-BR", "block"),
        ("não.", "pt", "block"), ("haan", "hi-IN", "confirm"), ("हाँ", "hi", "confirm"), ("नहीं।", "hi-IN", "block"),
        // Another language's word still answers: a pt-BR customer who writes YES confirms.
        ("yes", "pt-BR", "confirm"), ("nahi", "en", "block"),
    ] as [(String, String?, String)])
    func repliesChooseTheirButton(_ text: String, _ locale: String?, _ button: String) {
        #expect(ReplyKeywords.match(text, locale: locale, buttons: Self.buttons) == button)
    }

    @Test(arguments: ["maybe", "", "  ", "yes please", "SIMM", "!"])
    func otherTextChoosesNothing(_ text: String) {
        #expect(ReplyKeywords.match(text, locale: "pt-BR", buttons: Self.buttons) == nil)
    }

    @Test func theRecipientsLocaleAndItsParentComeFirst() {
        let buttons = [
            Template.Button(id: "english", titles: [("en", "A")], keywords: ["en": ["SI"]]),
            Template.Button(id: "spanish", titles: [("es", "B")], keywords: ["es": ["SI"]]),
        ]
        #expect(ReplyKeywords.match("si", locale: "es-MX", buttons: buttons) == "spanish")
        #expect(ReplyKeywords.match("si", locale: "en", buttons: buttons) == "english")
        #expect(ReplyKeywords.match("si", locale: "fr", buttons: buttons) == "english")
        #expect(ReplyKeywords.match("si", locale: nil, buttons: buttons) == "english")
    }

    @Test func normalization() {
        #expect(ReplyKeywords.normalize("  NÃO!! ") == "nao")
        #expect(ReplyKeywords.normalize("¿Sí?") == "si")
        #expect(ReplyKeywords.normalize("Çà") == "ca")
        // Devanagari vowel signs and the candrabindu are part of the word.
        #expect(ReplyKeywords.normalize("हाँ।") == "हाँ")
        #expect(ReplyKeywords.normalize("YES 👍") == "yes")
    }

    @Test func keywordsAreSingleWordsOfLettersAndDigits() {
        for good in ["YES", "S", "1", "NÃO", "हाँ", "नहीं", "BERHENTI", String(repeating: "A", count: 20)] {
            #expect(ReplyKeywords.isValidKeyword(good), "\(good)")
        }
        for bad in ["", "YES PLEASE", "YES!", "Y-N", String(repeating: "A", count: 21)] {
            #expect(!ReplyKeywords.isValidKeyword(bad), "\(bad)")
        }
    }
}

@Suite struct ConversationModelTests {
    static func rule(category: RuleCategory = .service, respectOptOut: Bool? = nil) throws -> Rule {
        Rule(id: "r", pattern: try EventPattern(json: ["type": ["x"]]),
             recipient: Recipient(address: .literal("+1")), channels: ["sms"], templateID: "t",
             category: category, respectOptOut: respectOptOut)
    }

    @Test func optOutsFollowTheCategory() throws {
        let service = try Self.rule()
        #expect(service.category == .service && service.respectOptOut && service.suppressedByOptOut)
        #expect(!service.urgent && service.expires == nil && service.dedupe == nil && service.onReply == nil)
        #expect(try !Self.rule(category: .fraud).suppressedByOptOut)
        #expect(try Self.rule(category: .fraud, respectOptOut: true).suppressedByOptOut)
        #expect(try !Self.rule(category: .service, respectOptOut: false).suppressedByOptOut)
        #expect(try Self.rule(category: .marketing, respectOptOut: false).respectOptOut)
    }

    static let template = Template(
        id: "t", defaultLocale: "en",
        translations: [],
        buttons: [Template.Button(id: "confirm", titles: [("en", "Yes")], keywords: ["en": ["YES"]])],
        smsReply: ["en": "Reply YES if it was you.", "pt": "Responda SIM se foi você."])

    @Test func theSMSInstructionFollowsTheTextOnANewLine() {
        #expect(Self.template.smsText("Was this you?", textLocale: "en") == "Was this you?\nReply YES if it was you.")
        #expect(Self.template.smsText("Foi você?", textLocale: "pt-BR") == "Foi você?\nResponda SIM se foi você.")
        #expect(Self.template.smsReply(for: "hi") == "Reply YES if it was you.")
        var withoutButtons = Self.template
        withoutButtons.buttons = []
        #expect(withoutButtons.smsText("Was this you?", textLocale: "en") == "Was this you?")
    }

    @Test func notUnderstoodIsChosenByLocale() {
        let settings = ProtectionSettings(notUnderstood: ["pt-BR": "Desculpe…", "en": "Sorry…"])
        #expect(settings.notUnderstood(for: "pt-BR") == "Desculpe…")
        #expect(settings.notUnderstood(for: "hi-IN") == "Sorry…")
        #expect(settings.notUnderstood(for: nil) == "Sorry…")
        #expect(ProtectionSettings(notUnderstood: ["id": "Maaf…"]).notUnderstood(for: "en") == "Maaf…")
        #expect(ProtectionSettings().notUnderstood(for: "en") == nil)
    }
}

/// `ProtectionSettings.hold`: the one quiet-hours-then-pacing decision the outbox's workers and
/// `herald send` both carry out.
@Suite struct ProtectionHoldTests {
    let settings: ProtectionSettings

    init() throws {
        settings = ProtectionSettings(pacing: Pacing(limit: 2, per: .seconds(3600)), quietHours: try quiet("22:00", "07:00"))
    }

    @Test func quietHoursInTheRecipientsZoneHoldUntilTheirEnd() throws {
        // 23:30 in Kolkata is 18:00 UTC.
        let hold = try #require(settings.hold(recipientTimeZone: "Asia/Kolkata", now: try at("2026-03-14T18:00:00Z"), sentTimes: []))
        #expect(hold.reason == .quietHours)
        #expect(hold.until == (try at("2026-03-15T01:30:00Z")), "07:00 in Kolkata")
        #expect(hold.explanation == "quiet hours (22:00–07:00, Asia/Kolkata)")
    }

    @Test func anUnknownZoneFallsBackToTheDefaultAndNamesIt() throws {
        let hold = try #require(settings.hold(recipientTimeZone: "Mars/Olympus", now: try at("2026-03-14T23:00:00Z"), sentTimes: []))
        #expect(hold.explanation == "quiet hours (22:00–07:00, \(settings.defaultTimeZone.identifier))")
        #expect(settings.hold(recipientTimeZone: "Mars/Olympus", now: try at("2026-03-14T12:00:00Z"), sentTimes: []) == nil)
    }

    @Test func outsideQuietHoursAFullPacingWindowHoldsUntilASlotFrees() throws {
        let now = try at("2026-03-14T12:00:00Z")
        let sent = [now.addingTimeInterval(-3000), now.addingTimeInterval(-600), now.addingTimeInterval(-7200)]
        let hold = try #require(settings.hold(recipientTimeZone: "UTC", now: now, sentTimes: sent))
        #expect(hold.reason == .pacing)
        #expect(hold.until == now.addingTimeInterval(600), "the message sent 50 minutes ago leaves the window in 10")
        #expect(settings.hold(recipientTimeZone: "UTC", now: now, sentTimes: Array(sent.prefix(1))) == nil)
    }
}

@Suite struct TokenBucketRebaseTests {
    @Test func aNewRateKeepsTheSlotsAlreadyBooked() throws {
        var bucket = try #require(TokenBucket(rate: 2, burst: 1))
        #expect([bucket.take(at: .zero), bucket.take(at: .zero), bucket.take(at: .zero)] == [.zero, .milliseconds(500), .seconds(1)])
        var faster = try #require(bucket.rebased(rate: 10, at: .zero))
        // The next slot of the old run was due at 1.5 s; from there, 10 a second.
        #expect(faster.take(at: .zero) == .milliseconds(1500))
        #expect(faster.take(at: .zero) == .milliseconds(1600))
    }

    @Test func anIdleBucketStartsFreshAtTheNewRate() throws {
        var bucket = try #require(TokenBucket(rate: 1, burst: 1))
        _ = bucket.take(at: .zero)
        var rebased = try #require(bucket.rebased(rate: 4, at: .seconds(10)))
        #expect(rebased.burst == 4)
        #expect((0..<5).map { _ in rebased.take(at: .seconds(10)) } == [.zero, .zero, .zero, .zero, .milliseconds(250)])
    }
}
