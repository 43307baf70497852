import Foundation
import HeraldCore
import Testing
@testable import HeraldConfig

// herald.yaml's `protection:` and a WhatsApp endpoint's `app_secret` and `verify_token`: decoded
// values, defaults, and every diagnostic with its position.

/// An `ops` webhook on line 3; `protection:` on line 4 and its `lines` (indented by two) from line 5.
private func protection(_ lines: String) -> String {
    "rules: rules/\nendpoints:\n  ops: {kind: webhook, url: \"https://ops.example\"}\nprotection:\n" + lines + "\n"
}

/// A WhatsApp endpoint whose keys are on lines 4–6, with `extra` lines from line 7.
private func whatsapp(_ extra: String) -> String {
    """
    rules: rules/
    endpoints:
      whatsapp:
        kind: whatsapp
        url: https://graph.facebook.com/v23.0/1234567890/messages
        token: env:WHATSAPP_TOKEN
    \(extra)

    """
}

private func decode(_ yaml: String, file: String = "herald.yaml") -> GatewayConfigDecoder {
    GatewayConfigDecoder(file: file, bytes: Array(yaml.utf8))
}

@Suite struct ProtectionConfigTests {
    @Test func everyKeyDecodes() throws {
        let decoder = decode(protection("""
              pacing: 5/h
              quiet_hours: {from: "22:00", to: "07:00"}
              default_timezone: Asia/Kolkata
              opt_out_keywords: {en: [STOP, UNSUBSCRIBE], pt-BR: [SAIR, PARAR], hi: [STOP], id: [BERHENTI, STOP]}
              not_understood:
                en: "Sorry, we did not understand. Please tap a button or reply with one of the words in the message."
                pt-BR: "Desculpe, não entendemos. Toque em um botão ou responda com uma das palavras da mensagem."
            """))
        expectDiagnostics(decoder.log.diagnostics, [])
        let settings = try #require(decoder.config).protection
        #expect(settings.pacing == Pacing(limit: 5, per: .seconds(3600)))
        #expect(settings.quietHours == QuietHours(from: try #require(.init(hour: 22, minute: 0)), to: try #require(.init(hour: 7, minute: 0))))
        #expect(settings.defaultTimeZone.identifier == "Asia/Kolkata")
        #expect(settings.optOutKeywords.words["en"] == ["STOP", "UNSUBSCRIBE"])
        #expect(settings.optOutKeywords.words["id"] == ["BERHENTI", "STOP"])
        // Locales herald.yaml does not list keep Herald's words.
        #expect(settings.optOutKeywords.words["es"] == ["BAJA"])
        #expect(!settings.optOutKeywords.matches("cancel", locale: "en"))
        #expect(settings.notUnderstood(for: "pt-BR")?.hasPrefix("Desculpe") == true)
    }

    @Test func defaultsWithoutProtection() throws {
        let bare = try #require(decode("endpoints:\n  ops: {kind: webhook, url: \"https://ops.example\"}\n").config).protection
        #expect(bare == ProtectionSettings())
        #expect(bare.pacing == nil && bare.quietHours == nil && bare.notUnderstood.isEmpty)
        #expect(bare.defaultTimeZone.identifier == "UTC" || bare.defaultTimeZone.secondsFromGMT() == 0)
        #expect(bare.optOutKeywords == .defaults)
        let empty = try #require(decode(protection("")).config).protection
        #expect(empty == ProtectionSettings())
    }

    @Test func pacingPerDay() throws {
        let settings = try #require(decode(protection("  pacing: 20/d")).config).protection
        #expect(settings.pacing == Pacing(limit: 20, per: .seconds(86_400)))
    }

    static let cases: [DiagnosticCase] = [
        DiagnosticCase("protection as a list", protection("  - pacing: 5/h"),
                       [.error(5, 3, "'protection' must be a mapping, not a list")]),
        DiagnosticCase("an unknown protection key", protection("  quiet: {from: \"22:00\", to: \"07:00\"}"),
                       [.error(5, 3, "unknown key 'quiet' in 'protection'; allowed keys are 'pacing', 'quiet_hours', 'default_timezone', 'opt_out_keywords', 'not_understood'")]),
        DiagnosticCase("a misspelt protection key", protection("  pacng: 5/h"),
                       [.error(5, 3, "unknown key 'pacng' in 'protection'; did you mean 'pacing'?")]),
        DiagnosticCase("pacing per minute", protection("  pacing: 5/m"),
                       [.error(5, 11, "'pacing' of 'protection' must be a count per hour or day, like 5/h")]),
        DiagnosticCase("pacing of zero", protection("  pacing: 0/h"),
                       [.error(5, 11, "'pacing' of 'protection' must be a count per hour or day, like 5/h; write e.g. 'pacing: 5/h' or 'pacing: 20/d' (1 to 1000 messages)")]),
        DiagnosticCase("pacing without a period", protection("  pacing: 5"),
                       [.error(5, 11, "'pacing' of 'protection' must be a count per hour or day")]),
        DiagnosticCase("pacing with a fraction", protection("  pacing: 1.5/h"),
                       [.error(5, 11, "'pacing' of 'protection' must be a count per hour or day")]),
        DiagnosticCase("quiet hours without an end", protection("  quiet_hours: {from: \"22:00\"}"),
                       [.error(5, 16, "missing key 'to' in 'quiet_hours' of 'protection'; add 'to:'")]),
        DiagnosticCase("quiet hours as a string", protection("  quiet_hours: 22:00-07:00"),
                       [.error(5, 16, "'quiet_hours' of 'protection' must be a mapping, not a string")]),
        DiagnosticCase("an hour that does not exist", protection("  quiet_hours: {from: \"25:00\", to: \"07:00\"}"),
                       [.error(5, 23, "'from' of 'quiet_hours' of 'protection' must be a time of day, HH:MM")]),
        DiagnosticCase("hours as numbers", protection("  quiet_hours: {from: 22, to: 7}"),
                       [.error(5, 23, "'from' of 'quiet_hours' of 'protection' must be a time of day, HH:MM"),
                        .error(5, 31, "'to' of 'quiet_hours' of 'protection' must be a time of day, HH:MM")]),
        DiagnosticCase("unquoted times are strings in YAML 1.2", protection("  quiet_hours: {from: 22:00, to: 7:30}"), []),
        DiagnosticCase("a quiet window of no length", protection("  quiet_hours: {from: \"22:00\", to: \"22:00\"}"),
                       [.error(5, 36, "'quiet_hours' of 'protection' starts and ends at 22:00")]),
        DiagnosticCase("an abbreviation as the default time zone", protection("  default_timezone: IST"),
                       [.error(5, 21, "unknown time zone 'IST' in 'default_timezone' of 'protection'")]),
        DiagnosticCase("a misspelt default time zone", protection("  default_timezone: Asia/Kolkatta"),
                       [.error(5, 21, "unknown time zone 'Asia/Kolkatta' in 'default_timezone' of 'protection'; did you mean 'Asia/Kolkata'?")]),
        DiagnosticCase("an opt-out keyword of two words", protection("  opt_out_keywords: {en: [STOP, \"STOP ME\"]}"),
                       [.error(5, 33, "opt-out keyword 'STOP ME' of 'en' must be one word of letters and digits, at most 20 characters")]),
        DiagnosticCase("an opt-out keyword twice", protection("  opt_out_keywords: {en: [STOP, stop]}"),
                       [.error(5, 33, "opt-out keyword 'stop' is listed twice for 'en'")]),
        DiagnosticCase("an opt-out keyword that is a number", protection("  opt_out_keywords: {en: [STOP, 0]}"),
                       [.error(5, 33, "an opt-out keyword of 'en' must be a word, not a number")]),
        DiagnosticCase("no opt-out words for a locale is a warning", protection("  opt_out_keywords: {es: []}"),
                       [.warning(5, 26, "opt-out keywords 'es' is an empty list: Herald's default words for 'es' are dropped")]),
        DiagnosticCase("an opt-out locale that is not one", protection("  opt_out_keywords: {english: [STOP]}"),
                       [.error(5, 22, "'english' in 'opt_out_keywords' of 'protection' is not a BCP 47 locale")]),
        DiagnosticCase("opt-out words as a word", protection("  opt_out_keywords: STOP"),
                       [.error(5, 21, "'opt_out_keywords' of 'protection' must be a mapping, not a string")]),
        DiagnosticCase("an opt-out locale twice", protection("  opt_out_keywords: {pt-BR: [SAIR], pt_br: [PARAR]}"),
                       [.error(5, 37, "locale 'pt_br' of 'opt_out_keywords' of 'protection' is given twice (as 'pt-BR')")]),
        DiagnosticCase("an empty answer", protection("  not_understood: {en: \"\"}"),
                       [.error(5, 24, "the 'en' answer of 'not_understood' of 'protection' is empty")]),
        DiagnosticCase("an answer without a locale", protection("  not_understood: \"Sorry\""),
                       [.error(5, 19, "'not_understood' of 'protection' must be a mapping, not a string")]),
        DiagnosticCase("no answers", protection("  not_understood: {}"),
                       [.error(5, 19, "'not_understood' of 'protection' is empty")]),
    ]

    @Test(arguments: cases)
    func diagnostics(_ test: DiagnosticCase) {
        expectDiagnostics(decode(test.yaml).log.diagnostics, test.expected)
    }
}

@Suite struct WhatsAppWebhookKeysTests {
    @Test func theSecretsAreReferences() throws {
        let decoder = decode(whatsapp("    app_secret: env:WHATSAPP_APP_SECRET\n    verify_token: file:secrets/verify_token"), file: "deploy/herald.yaml")
        expectDiagnostics(decoder.log.diagnostics, [])
        let endpoint = try #require(decoder.config?.endpoint(named: "whatsapp"))
        #expect(endpoint.appSecret == .environment("WHATSAPP_APP_SECRET"))
        #expect(endpoint.verifyToken == .file("deploy/secrets/verify_token"))
        #expect(decoder.endpointKinds == ["whatsapp": .whatsapp])
    }

    @Test func withoutThemNothingChanges() throws {
        let endpoint = try #require(decode(whatsapp("")).config?.endpoint(named: "whatsapp"))
        #expect(endpoint.appSecret == nil && endpoint.verifyToken == nil)
    }

    static let cases: [DiagnosticCase] = [
        DiagnosticCase("an inline app secret", whatsapp("    app_secret: 0123456789abcdef0123456789abcdef\n    verify_token: env:V"),
                       [.error(7, 17, "'app_secret' of endpoint 'whatsapp' must be a reference to a secret, not the secret itself; write 'app_secret: env:VARIABLE'")]),
        DiagnosticCase("an inline verify token", whatsapp("    app_secret: env:A\n    verify_token: my-verify-token"),
                       [.error(8, 19, "'verify_token' of endpoint 'whatsapp' must be a reference to a secret, not the secret itself")]),
        DiagnosticCase("an app secret alone", whatsapp("    app_secret: env:A"),
                       [.warning(7, 5, "endpoint 'whatsapp' has 'app_secret' but no 'verify_token'")]),
        DiagnosticCase("a verify token alone", whatsapp("    verify_token: env:V"),
                       [.warning(7, 5, "endpoint 'whatsapp' has 'verify_token' but no 'app_secret'; add 'app_secret: env:WHATSAPP_APP_SECRET'")]),
        DiagnosticCase("a misspelt app secret", whatsapp("    app_secrt: env:A\n    verify_token: env:V"),
                       [.error(7, 5, "unknown key 'app_secrt' in endpoint 'whatsapp'; did you mean 'app_secret'?"),
                        .warning(8, 5, "endpoint 'whatsapp' has 'verify_token' but no 'app_secret'")]),
        DiagnosticCase("an app secret on a webhook",
                       "endpoints:\n  ops: {kind: webhook, url: \"https://ops.example\", app_secret: env:A}\n",
                       [.error(2, 52, "key 'app_secret' does not apply to endpoint 'ops' (kind webhook)")]),
    ]

    @Test(arguments: cases)
    func diagnostics(_ test: DiagnosticCase) {
        expectDiagnostics(decode(test.yaml).log.diagnostics, test.expected)
    }

    @Test func inlineSecretsAreNeverPrinted() {
        let secret = "0123456789abcdef0123456789abcdef"
        let decoder = decode(whatsapp("    app_secret: \(secret)\n    verify_token: \(secret)x"))
        #expect(decoder.log.diagnostics.count == 2)
        #expect(!decoder.log.diagnostics.contains { $0.description.contains(secret) })
    }
}
