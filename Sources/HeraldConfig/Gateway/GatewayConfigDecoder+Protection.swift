import Foundation
import HeraldCore

/// herald.yaml's `protection:` (pacing, quiet hours, opt-out words, the answer to replies not
/// understood) and a WhatsApp endpoint's webhook keys (`app_secret`, `verify_token`).
extension GatewayConfigDecoder {
    public static let protectionKeys = ["pacing", "quiet_hours", "default_timezone", "opt_out_keywords", "not_understood"]
    /// `pacing`: at most this many messages per hour or day.
    public static let pacingLimitRange = 1...1000

    mutating func decodeProtection(_ node: YAMLNode) -> ProtectionSettings {
        var settings = ProtectionSettings()
        guard node.scalarValue != .null else { return settings }
        guard node.mapping("'protection'", log: &log, hint: "write e.g. 'protection: {pacing: 5/h, quiet_hours: {from: \"22:00\", to: \"07:00\"}}'") != nil
        else { return settings }
        let fields = MappingFields(node, allowed: Self.protectionKeys, context: "'protection'", log: &log)
        if let value = fields["pacing"] {
            if let pacing = Self.pacing(value.scalarText) {
                settings.pacing = pacing
            } else {
                log.error(value.start, "'pacing' of 'protection' must be a count per hour or day, like 5/h",
                          hint: "write e.g. 'pacing: 5/h' or 'pacing: 20/d' (\(Self.pacingLimitRange.lowerBound) to \(Self.pacingLimitRange.upperBound) messages)")
            }
        }
        if let value = fields["quiet_hours"] { settings.quietHours = decodeQuietHours(value) }
        if let value = fields["default_timezone"],
           let zone = value.string("'default_timezone' of 'protection'", log: &log, hint: "write an IANA zone such as 'UTC' or 'Asia/Kolkata'") {
            if RuleFileDecoder.isIANAZone(zone), let timeZone = TimeZone(identifier: zone) {
                settings.defaultTimeZone = timeZone
            } else {
                log.error(value.start, "unknown time zone '\(zone)' in 'default_timezone' of 'protection'",
                          hint: Suggestion.closest(to: zone, among: RuleFileDecoder.zoneNames).map { "did you mean '\($0)'?" }
                              ?? "write an IANA zone such as 'UTC', 'Asia/Kolkata' or 'America/Sao_Paulo'")
            }
        }
        if let value = fields["opt_out_keywords"] {
            settings.optOutKeywords = OptOutKeywords.merging(configured: decodeOptOutKeywords(value))
        }
        if let value = fields["not_understood"] { settings.notUnderstood = decodeNotUnderstood(value) }
        return settings
    }

    /// `5/h`, `20/d` → a pacing; nil for anything else.
    static func pacing(_ text: String?) -> Pacing? {
        guard let text, let slash = text.firstIndex(of: "/") else { return nil }
        let count = text[..<slash].trimmingCharacters(in: .whitespaces)
        guard !count.isEmpty, count.allSatisfy({ $0.isASCII && $0.isNumber }), let limit = Int(count),
              pacingLimitRange.contains(limit) else { return nil }
        switch text[text.index(after: slash)...].trimmingCharacters(in: .whitespaces) {
        case "h": return Pacing(limit: limit, per: .seconds(3600))
        case "d": return Pacing(limit: limit, per: .seconds(86_400))
        default: return nil
        }
    }

    private mutating func decodeQuietHours(_ node: YAMLNode) -> QuietHours? {
        let what = "'quiet_hours' of 'protection'"
        guard node.mapping(what, log: &log, hint: "write e.g. 'quiet_hours: {from: \"22:00\", to: \"07:00\"}'") != nil else { return nil }
        let fields = MappingFields(node, allowed: ["from", "to"], required: ["from", "to"], context: what, log: &log)
        var times: [String: QuietHours.TimeOfDay] = [:]
        for key in ["from", "to"] {
            guard let value = fields[key] else { continue }
            if let text = value.scalarText, let time = QuietHours.TimeOfDay(parsing: text) {
                times[key] = time
            } else {
                log.error(value.start, "'\(key)' of \(what) must be a time of day, HH:MM",
                          hint: "write e.g. '\(key): \"\(key == "from" ? "22:00" : "07:00")\"' (24-hour clock, in the recipient's time zone)")
            }
        }
        guard let from = times["from"], let to = times["to"] else { return nil }
        if from == to, let value = fields["to"] {
            log.error(value.start, "\(what) starts and ends at \(from)", hint: "give the hours when messages wait, e.g. from \"22:00\" to \"07:00\"; remove 'quiet_hours' for none")
            return nil
        }
        return QuietHours(from: from, to: to)
    }

    private mutating func decodeOptOutKeywords(_ node: YAMLNode) -> [String: [String]] {
        let what = "'opt_out_keywords' of 'protection'"
        guard let entries = node.mapping(what, log: &log, hint: "write one 'LOCALE: [WORD, …]' per language, e.g. {en: [STOP, UNSUBSCRIBE], pt-BR: [SAIR, PARAR]}")
        else { return [:] }
        var configured: [String: [String]] = [:]
        for entry in entries {
            guard let tag = entry.key.string("a locale", log: &log) else { continue }
            guard let locale = RuleFileDecoder.canonicalLocale(tag) else {
                log.error(entry.key.start, "'\(tag)' in \(what) is not a BCP 47 locale", hint: "write a language code with optional region, e.g. 'en', 'pt-BR', 'hi'")
                continue
            }
            if configured[locale] != nil {
                log.error(entry.key.start, "locale '\(tag)' of \(what) is given twice (as '\(locale)')", hint: "keep one list per locale")
                continue
            }
            guard let items = entry.value.sequence("opt-out keywords '\(tag)'", log: &log, hint: "write a list of words, e.g. '\(tag): [STOP]'") else { continue }
            if items.isEmpty {
                log.warning(entry.value.start, "opt-out keywords '\(tag)' is an empty list: Herald's default words for '\(locale)' are dropped",
                            hint: "list the words that opt a customer out, e.g. '\(tag): [STOP]', or remove '\(tag)' to keep the defaults")
            }
            var words: [String] = []
            var seen = Set<String>()
            for item in items {
                guard case .scalar(let scalar) = item.kind, case .string(let word) = scalar.value else {
                    log.error(item.start, "an opt-out keyword of '\(tag)' must be a word, not \(item.typeDescription)", hint: "write e.g. STOP")
                    continue
                }
                guard ReplyKeywords.isValidKeyword(word) else {
                    log.error(item.start, word.isEmpty ? "an opt-out keyword of '\(tag)' is empty" : "opt-out keyword '\(word)' of '\(tag)' must be one word of letters and digits, at most \(ReplyKeywords.maximumLength) characters",
                              hint: "customers opt out with a single word such as STOP or SAIR")
                    continue
                }
                guard seen.insert(ReplyKeywords.normalize(word)).inserted else {
                    log.error(item.start, "opt-out keyword '\(word)' is listed twice for '\(tag)'", hint: "remove the second one; case and accents do not tell words apart")
                    continue
                }
                words.append(word)
            }
            configured[locale] = words
        }
        return configured
    }

    private mutating func decodeNotUnderstood(_ node: YAMLNode) -> [String: String] {
        let what = "'not_understood' of 'protection'"
        guard let entries = node.mapping(what, log: &log, hint: "write one 'LOCALE: \"Sorry, we did not understand…\"' per language") else { return [:] }
        if entries.isEmpty {
            log.error(node.start, "\(what) is empty", hint: "write one 'LOCALE: \"…\"' per language, or remove it to forward free text to the rule's on_reply endpoint")
        }
        var answers: [String: String] = [:]
        for entry in entries {
            guard let tag = entry.key.string("a locale", log: &log) else { continue }
            guard let locale = RuleFileDecoder.canonicalLocale(tag) else {
                log.error(entry.key.start, "'\(tag)' in \(what) is not a BCP 47 locale", hint: "write a language code with optional region, e.g. 'en', 'pt-BR', 'hi'")
                continue
            }
            if answers[locale] != nil {
                log.error(entry.key.start, "locale '\(tag)' of \(what) is given twice (as '\(locale)')", hint: "keep one answer per locale")
                continue
            }
            guard let text = entry.value.string("the '\(tag)' answer of \(what)", log: &log, hint: "write the answer as a quoted string") else { continue }
            guard !text.trimmingWhitespace.isEmpty else {
                log.error(entry.value.start, "the '\(tag)' answer of \(what) is empty", hint: "write what the customer should do, e.g. \"Please tap a button.\"")
                continue
            }
            answers[locale] = text
        }
        return answers
    }

    /// A WhatsApp endpoint receives replies with both `app_secret` (to check Meta's signature) and
    /// `verify_token` (to answer Meta's subscription check); one without the other is a half-done setup.
    mutating func checkWebhookKeys(_ fields: MappingFields, context: String) {
        switch (fields.keyNode("app_secret"), fields.keyNode("verify_token")) {
        case (let key?, nil):
            log.warning(key.start, "\(context) has 'app_secret' but no 'verify_token'",
                        hint: "add 'verify_token: env:WHATSAPP_VERIFY_TOKEN': Meta checks it when the webhook for replies is set up")
        case (nil, let key?):
            log.warning(key.start, "\(context) has 'verify_token' but no 'app_secret'",
                        hint: "add 'app_secret: env:WHATSAPP_APP_SECRET': without it Herald cannot check that replies come from Meta")
        default:
            break
        }
    }
}
