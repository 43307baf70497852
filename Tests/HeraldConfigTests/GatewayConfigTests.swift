import Foundation
import HeraldConfig
import HeraldCore
import Testing

// herald.yaml (`GatewayConfigDecoder`): every diagnostic with its position, secrets that are never
// echoed, `file:` references resolved against the config's folder, and hostile files.

private func decodeConfig(_ yaml: String, file: String = "herald.yaml") -> GatewayConfigDecoder {
    GatewayConfigDecoder(file: file, bytes: Array(yaml.utf8))
}

/// `rules:` on line 1, `endpoints:` on line 2, then `endpoints` (indented by two spaces).
private func config(_ endpoints: String) -> String {
    "rules: rules/\nendpoints:\n" + endpoints + "\n"
}

/// A valid WhatsApp endpoint whose keys are on lines 4–6, with `extra` lines from line 7.
private func whatsapp(token: String = "env:WHATSAPP_TOKEN", kind: String = "whatsapp", _ extra: String = "") -> String {
    config(
        """
          whatsapp:
            kind: \(kind)
            url: https://graph.facebook.com/v23.0/1234567890/messages
            token: \(token)
        """ + (extra.isEmpty ? "" : "\n" + extra))
}

@Test func aTwilioStatusCallbackIsKept() throws {
    let decoded = decodeConfig(config("""
          sms: {kind: twilio, url: "https://api.twilio.com/x", account: AC1, token: env:T, from: "+1", status_callback: "https://herald.example.com/v1/webhooks/twilio"}
        """))
    #expect(decoded.log.diagnostics.isEmpty)
    #expect(try #require(decoded.config).endpoints.first?.statusCallback == "https://herald.example.com/v1/webhooks/twilio")
}

@Test func aWebhookBodyTemplateIsKept() throws {
    let decoded = decodeConfig(config("""
          push:
            kind: webhook
            url: https://push.aurora.example/notify
            body:
              to: ${recipient.address}
              message: "Aurora: ${text}"
              priority: 1
              tags: [fraud, "$${literal}"]
        """))
    #expect(decoded.log.diagnostics.isEmpty, "\(decoded.log.diagnostics)")
    let config = try #require(decoded.config)
    let body = try #require(config.endpoints.first?.body)
    #expect(body.root == .object([
        (key: "to", node: .string([.field(.recipientAddress)])),
        (key: "message", node: .string([.literal("Aurora: "), .field(.text)])),
        (key: "priority", node: .value(1)),
        (key: "tags", node: .array([.value("fraud"), .value("${literal}")])),
    ]))
}

@Suite("herald.yaml diagnostics")
struct GatewayConfigDiagnosticsTests {
    static let cases: [DiagnosticCase] = [
        DiagnosticCase("a valid config", whatsapp(), []),
        DiagnosticCase(
            "a webhook body: placeholders are checked where they are",
            config(
                """
                  push:
                    kind: webhook
                    url: https://push.aurora.example/notify
                    body:
                      to: ${recipient.address}
                      message: "Aurora: ${txt}"
                      items: [1, "${params.amount}", "${rule"]
                  ops: {kind: webhook, url: "https://ops.example", body: "${text}"}
                  sms: {kind: twilio, url: "https://api.twilio.com/x", account: AC1, token: env:T, from: "+1", body: {a: 1}}
                """),
            [
                .error(8, 25, "'body' of endpoint 'push': unknown placeholder '${txt}'; did you mean '${text}'?"),
                .error(9, 39, "'body' of endpoint 'push': '${' is not closed"),
                .error(10, 58, "'body' of endpoint 'ops' must be a mapping or a list, not a string"),
                .error(11, 96, "key 'body' does not apply to endpoint 'sms' (kind twilio)"),
            ]),
        DiagnosticCase(
            "status_callback: a URL, and for twilio only",
            config(
                """
                  sms: {kind: twilio, url: "https://api.twilio.com/x", account: AC1, token: env:T, from: "+1", status_callback: "https://herald.example.com/v1/webhooks/twilio"}
                  sms2: {kind: twilio, url: "https://api.twilio.com/x", account: AC1, token: env:T, from: "+1", status_callback: "herald.example.com/twilio"}
                  wa: {kind: whatsapp, url: "https://graph.facebook.com/v23.0/1/messages", token: env:WA, status_callback: "https://x.example"}
                """),
            [
                .error(4, 114, "'status_callback' of endpoint 'sms2' is not a valid http/https URL"),
                .error(5, 91, "key 'status_callback' does not apply to endpoint 'wa' (kind whatsapp)"),
            ]),
        DiagnosticCase(
            "every kind with its keys",
            config(
                """
                  whatsapp: {kind: whatsapp, url: "https://graph.facebook.com/v23.0/1/messages", token: env:WA}
                  sms: {kind: twilio, url: "https://api.twilio.com/x", account: AC1, token: "file:twilio.token", from: "+15005550006"}
                  ops: {kind: webhook, url: "https://ops.example.com/herald"}
                  crm: {kind: webhook, url: "http://127.0.0.1:9911/crm", token: env:CRM_TOKEN}
                  mail: {kind: smtp, url: "smtps://smtp.example.com:465", from: "Bank <a@b.example>", username: a, password: "file:/run/secrets/smtp"}
                  relay: {kind: smtp, url: "smtp://relay.example.com:587", from: a@b.example}
                """),
            []),

        // Inline secrets (never echoed: see secretValuesAreNeverPrinted).
        DiagnosticCase(
            "inline token", whatsapp(token: "EAAGm0PX4ZCpsBAKZCZBh7xq4MvWqP2"),
            [.error(6, 12, "'token' of endpoint 'whatsapp' must be a reference to a secret, not the secret itself")]),
        DiagnosticCase(
            "inline token that YAML reads as a number", whatsapp(token: "123456789"),
            [.error(6, 12, "'token' of endpoint 'whatsapp' must be a reference to a secret")]),
        DiagnosticCase(
            "'env:' without a name", whatsapp(token: "\"env:\""),
            [.error(6, 12, "'token' of endpoint 'whatsapp' must be a reference to a secret")]),
        DiagnosticCase(
            "'env:' with a name that starts with a digit", whatsapp(token: "env:1TOKEN"),
            [.error(6, 12, "'token' of endpoint 'whatsapp' must be a reference to a secret")]),
        DiagnosticCase(
            "'file:' without a path", whatsapp(token: "\"file:\""),
            [.error(6, 12, "'token' of endpoint 'whatsapp' must be a reference to a secret")]),
        DiagnosticCase(
            "inline SMTP password",
            config(
                """
                  mail:
                    kind: smtp
                    url: smtps://smtp.example.com:465
                    from: alerts@example.com
                    username: alerts
                    password: hunter2hunter2
                """),
            [.error(8, 15, "'password' of endpoint 'mail' must be a reference to a secret, not the secret itself")]),

        // Kinds and their keys.
        DiagnosticCase(
            "unknown kind with a close name", whatsapp(kind: "whatsap"),
            [.error(4, 11, "unknown kind 'whatsap' of endpoint 'whatsapp'; did you mean 'whatsapp'?")]),
        DiagnosticCase(
            "unknown kind without a close name", whatsapp(kind: "pager"),
            [.error(4, 11, "unknown kind 'pager' of endpoint 'whatsapp'; use one of whatsapp, twilio, webhook, smtp")]),
        DiagnosticCase(
            "kind that is a number", whatsapp(kind: "5"),
            [.error(4, 11, "'kind' of endpoint 'whatsapp' must be a string, not a number")]),
        DiagnosticCase(
            "a key that does not apply to the kind", whatsapp("    account: AC123"),
            [.error(7, 5, "key 'account' does not apply to endpoint 'whatsapp' (kind whatsapp); remove it; a whatsapp endpoint takes 'url', 'token'")]),
        DiagnosticCase(
            "a token on an SMTP endpoint",
            config("  mail: {kind: smtp, url: \"smtps://smtp.example.com\", from: a@b.example, token: env:T}"),
            [.error(3, 74, "key 'token' does not apply to endpoint 'mail' (kind smtp)")]),
        DiagnosticCase(
            "Twilio without account and from: at the endpoint's first key",
            config(
                """
                  sms:
                    kind: twilio
                    url: https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json
                    token: env:TWILIO_AUTH_TOKEN
                """),
            [
                .error(4, 5, "missing key 'account' in endpoint 'sms' (kind twilio)"),
                .error(4, 5, "missing key 'from' in endpoint 'sms' (kind twilio)"),
            ]),
        DiagnosticCase(
            "WhatsApp without url and token", config("  whatsapp:\n    kind: whatsapp"),
            [
                .error(4, 5, "missing key 'url' in endpoint 'whatsapp' (kind whatsapp)"),
                .error(4, 5, "missing key 'token' in endpoint 'whatsapp' (kind whatsapp)"),
            ]),
        DiagnosticCase(
            "SMTP without from", config("  mail: {kind: smtp, url: \"smtps://smtp.example.com\"}"),
            [.error(3, 9, "missing key 'from' in endpoint 'mail' (kind smtp)")]),
        DiagnosticCase(
            "no kind", config("  hook: {url: \"https://hooks.example.com\"}"),
            [.error(3, 9, "missing key 'kind' in endpoint 'hook'")]),
        DiagnosticCase(
            "misspelt required endpoint key: only the unknown key, not also 'missing'",
            config(
                """
                  whatsapp:
                    kind: whatsapp
                    url: https://graph.facebook.com/v23.0/1/messages
                    tokne: env:WHATSAPP_TOKEN
                """),
            [.error(6, 5, "unknown key 'tokne' in endpoint 'whatsapp'; did you mean 'token'?")]),
        DiagnosticCase(
            "Twilio sender written as a number", config(
                """
                  sms:
                    kind: twilio
                    url: https://api.twilio.com/x
                    account: AC1
                    token: env:T
                    from: +15005550006
                """),
            [.error(8, 11, "'from' of endpoint 'sms' must be a string, not a number")]),

        // URLs.
        DiagnosticCase(
            "Twilio with an ftp URL", config("  sms: {kind: twilio, url: \"ftp://api.twilio.com/x\", account: AC1, token: env:T, from: \"+1\"}"),
            [.error(3, 28, "'url' of endpoint 'sms' is not a valid http/https URL")]),
        DiagnosticCase(
            "SMTP with an https URL", config("  mail: {kind: smtp, url: \"https://smtp.example.com\", from: a@b.example}"),
            [.error(3, 27, "'url' of endpoint 'mail' is not a valid smtp/smtps URL; write e.g. smtps://smtp.example.com:465")]),
        DiagnosticCase(
            "a URL without a host", config("  ops: {kind: webhook, url: \"https://\"}"),
            [.error(3, 29, "'url' of endpoint 'ops' is not a valid http/https URL")]),
        DiagnosticCase(
            "text that is not a URL", config("  ops: {kind: webhook, url: not a url}"),
            [.error(3, 29, "'url' of endpoint 'ops' is not a valid http/https URL")]),

        // SMTP login.
        DiagnosticCase(
            "SMTP username without password",
            config("  mail:\n    kind: smtp\n    url: smtps://smtp.example.com\n    from: a@b.example\n    username: alerts"),
            [.error(4, 5, "endpoint 'mail' needs 'username' and 'password' together")]),
        DiagnosticCase(
            "SMTP password without username",
            config("  mail: {kind: smtp, url: \"smtps://smtp.example.com\", from: a@b.example, password: env:P}"),
            [.error(3, 9, "endpoint 'mail' needs 'username' and 'password' together")]),

        // The file's shape.
        DiagnosticCase("empty endpoints", "rules: rules/\nendpoints: {}\n", [.error(2, 12, "no endpoints are configured")]),
        DiagnosticCase(
            "endpoints with nothing after it", "rules: rules/\nendpoints:\n",
            [.error(2, 11, "'endpoints' must be a mapping, not empty (null)")]),
        DiagnosticCase("no endpoints key", "rules: rules/\n", [.error(1, 1, "missing key 'endpoints' in herald.yaml")]),
        DiagnosticCase(
            "misspelt 'endpoints': only the unknown key",
            "rules: rules/\nendpoint:\n  ops: {kind: webhook, url: \"https://ops.example.com\"}\n",
            [.error(2, 1, "unknown key 'endpoint' in herald.yaml; did you mean 'endpoints'?")]),
        DiagnosticCase(
            "unknown top-level key without a close match",
            config("  ops: {kind: webhook, url: \"https://ops.example.com\"}") + "telemetry: on\n",
            [.error(4, 1, "unknown key 'telemetry' in herald.yaml; allowed keys are 'rules', 'endpoints', 'listen', 'store', 'node', 'api_keys', 'ingest', 'delivery', 'protection'")]),
        DiagnosticCase(
            "rules as a list", "rules: [a, b]\nendpoints:\n  ops: {kind: webhook, url: \"https://ops.example.com\"}\n",
            [.error(1, 8, "'rules' must be a string, not a list")]),
        DiagnosticCase(
            "an endpoint that is a string", config("  ops: \"kind: webhook\""),
            [.error(3, 8, "endpoint 'ops' must be a mapping, not a string")]),
        DiagnosticCase(
            "an endpoint name with a space", config("  my ops: {kind: webhook, url: \"https://ops.example.com\"}"),
            [.error(3, 3, "endpoint name 'my ops' has characters other than letters, digits, '.', '_' and '-'; rename it, e.g. 'my-ops'")]),
        DiagnosticCase(
            "an endpoint given twice",
            config("  ops: {kind: webhook, url: \"https://a.example\"}\n  ops: {kind: webhook, url: \"https://b.example\"}"),
            [.error(4, 3, "duplicate key 'ops' (first at line 3)")]),
        DiagnosticCase(
            "a key given twice in an endpoint", whatsapp("    token: env:OTHER"),
            [.error(7, 5, "duplicate key 'token' (first at line 6)")]),
        DiagnosticCase(
            "YAML syntax error", "rules: rules/\nendpoints:\n  ops: {kind: webhook, url: \"https://ops.example.com\"\n",
            [.error(4, 1, "expected ',' or '}' in the mapping that starts at 3:8")]),
        DiagnosticCase("not a mapping", "- ops\n", [.error(1, 1, "herald.yaml must be a mapping with 'rules:' and 'endpoints:'")]),
        DiagnosticCase("an empty file", "", [.error(1, 1, "herald.yaml must be a mapping with 'rules:' and 'endpoints:'")]),
    ]

    @Test(arguments: cases)
    func reports(_ test: DiagnosticCase) {
        let decoder = decodeConfig(test.yaml)
        expectDiagnostics(decoder.log.diagnostics, test.expected)
        #expect((decoder.config == nil) == test.expected.contains { $0.severity == .error })
    }

    @Test func secretValuesAreNeverPrinted() {
        let secrets = ["EAAGm0PX4ZCpsBAKZCZBh7xq4MvWqP2", "hunter2hunter2", "sk_live_51Hx0wrongplace", "987654321987", "AC0secretsid0in0token"]
        let yaml = config(
            """
              whatsapp:
                kind: whatsap
                url: ftp://graph.facebook.com
                token: \(secrets[0])
              mail:
                kind: smtp
                url: smtps://smtp.example.com
                from: a@b.example
                password: \(secrets[1])
                token: \(secrets[2])
              sms: {kind: twilio, url: "https://api.twilio.com/x", account: AC1, token: \(secrets[3]), from: "+1"}
              ops: {kind: webhook, url: "https://ops.example.com", tokn: \(secrets[4])}
            """)
        let decoder = decodeConfig(yaml)
        expectDiagnostics(
            decoder.log.diagnostics,
            [
                .error(4, 11, "unknown kind 'whatsap'"),
                .error(6, 12, "'token' of endpoint 'whatsapp' must be a reference"),
                .error(8, 5, "endpoint 'mail' needs 'username' and 'password' together"),
                .error(11, 15, "'password' of endpoint 'mail' must be a reference"),
                .error(12, 5, "key 'token' does not apply to endpoint 'mail'"),
                .error(12, 12, "'token' of endpoint 'mail' must be a reference"),
                .error(13, 77, "'token' of endpoint 'sms' must be a reference"),
                .error(14, 56, "unknown key 'tokn' in endpoint 'ops'; did you mean 'token'?"),
            ])
        for diagnostic in decoder.log.diagnostics {
            for secret in secrets {
                #expect(!diagnostic.description.contains(secret), "\(diagnostic)")
            }
        }
    }

    @Test func secretIsNotPrintedWhenItsTagIsWrong() {
        let decoder = decodeConfig(whatsapp(token: "!!int s3cr3tT0ken"))
        #expect(decoder.log.hasErrors)
        for diagnostic in decoder.log.diagnostics {
            #expect(!diagnostic.description.contains("s3cr3tT0ken"), "\(diagnostic)")
        }
    }
}

@Suite("herald.yaml values")
struct GatewayConfigValueTests {
    @Test func referencesAreAcceptedAndFilePathsResolvedAgainstTheConfigFolder() throws {
        let yaml = config(
            """
              whatsapp: {kind: whatsapp, url: "https://graph.facebook.com/v23.0/1/messages", token: env:WHATSAPP_TOKEN}
              sms: {kind: twilio, url: "https://api.twilio.com/x", account: AC1, token: "file:secrets/twilio.token", from: "+15005550006"}
              mail: {kind: smtp, url: "smtps://smtp.example.com:465", from: a@b.example, username: alerts, password: "file:/run/secrets/smtp"}
            """)
        let decoder = decodeConfig(yaml, file: "deploy/herald.yaml")
        expectDiagnostics(decoder.log.diagnostics, [])
        let config = try #require(decoder.config)
        #expect(config.rulesFolder == "deploy/rules/")
        #expect(config.rulesSetting == "rules/")
        #expect(config.endpoint(named: "whatsapp")?.token == .environment("WHATSAPP_TOKEN"))
        #expect(config.endpoint(named: "sms")?.token == .file("deploy/secrets/twilio.token"))
        #expect(config.endpoint(named: "sms")?.account == "AC1")
        #expect(config.endpoint(named: "sms")?.from == "+15005550006")
        #expect(config.endpoint(named: "mail")?.password == .file("/run/secrets/smtp"))
        #expect(config.endpoint(named: "mail")?.username == "alerts")
        #expect(config.endpoints.map(\.kind) == [.whatsapp, .twilio, .smtp])
    }

    @Test(arguments: [
        ("herald.yaml", "secrets/t", "rules/"),
        ("/etc/herald/herald.yaml", "/etc/herald/secrets/t", "/etc/herald/rules/"),
        ("a/b/herald.yaml", "a/b/secrets/t", "a/b/rules/"),
    ])
    func relativePathsFollowTheConfigFile(_ file: String, _ secretPath: String, _ rulesFolder: String) throws {
        let decoder = decodeConfig("endpoints:\n  ops: {kind: webhook, url: \"https://ops.example.com\", token: \"file:secrets/t\"}\n", file: file)
        let config = try #require(decoder.config)
        #expect(config.endpoint(named: "ops")?.token == .file(secretPath))
        #expect(config.rulesFolder == rulesFolder, "'rules:' defaults to rules/ next to the config")
    }

    @Test func absoluteRulesFolderIsKept() throws {
        let decoder = decodeConfig("rules: /srv/herald/rules\nendpoints:\n  ops: {kind: webhook, url: \"https://o.example\"}\n", file: "deploy/herald.yaml")
        #expect(try #require(decoder.config).rulesFolder == "/srv/herald/rules")
    }

    @Test func endpointNamesIncludeEndpointsWithErrors() {
        let yaml = config(
            """
              wa: {kind: whatsapp, url: "https://graph.facebook.com/v23.0/1/messages", token: EAAGinline}
              sms: {kind: twilio, url: "https://api.twilio.com/x"}
              odd: {kind: pager, url: "https://x.example"}
              hook: "https://hooks.example.com"
              ok: {kind: webhook, url: "https://ok.example.com"}
            """)
        let decoder = decodeConfig(yaml)
        #expect(decoder.log.hasErrors)
        #expect(decoder.config == nil)
        #expect(decoder.endpointNames == ["wa", "sms", "odd", "hook", "ok"])
        #expect(decoder.rulesFolder == "rules/", "the rules folder is known even when the config has errors")

        // Rules naming those endpoints are not also told that the endpoints are unknown.
        let rules = """
            templates:
              t: {default_locale: en, text: {en: Hi}}
            rules:
              - id: r
                match: {type: [x]}
                recipient: {address: $.to}
                channels: [wa, sms, odd, hook, ok]
                template: t
            """
        let catalog = RuleCatalog(sources: [RuleCatalog.Source(name: "r.yaml", bytes: Array(rules.utf8))], endpoints: decoder.endpointNames)
        expectDiagnostics(catalog.diagnostics, [])
    }
}

@Suite("herald.yaml hostile files")
struct GatewayConfigHostileTests {
    static let cases: [(String, [UInt8], SourceMark, String)] = [
        ("alias bomb", Array(HostileYAML.aliasBomb.utf8), SourceMark(line: 6, column: 8), "alias *e expands the document past 200000 nodes"),
        ("deep nesting", Array(("endpoints: " + String(repeating: "[", count: 64) + String(repeating: "]", count: 64)).utf8),
         SourceMark(line: 1, column: 75), "nesting is deeper than 64 levels"),
        ("bytes that are not UTF-8", Array("endpoints:\n  ops: {kind: webhook, url: \"https://".utf8) + [0xFF] + Array("\"}\n".utf8),
         SourceMark(line: 2, column: 38), "file is not valid UTF-8 (byte 0xFF)"),
        ("huge scalar", Array(("endpoints:\n  ops: {kind: webhook, url: \"https://" + String(repeating: "x", count: 70_000) + "\"}\n").utf8),
         SourceMark(line: 2, column: 29), "value is 70008 bytes long; the limit is 65536"),
        ("a NUL byte", Array("endpoints:\n  ops:".utf8) + [0x00], SourceMark(line: 2, column: 7), "file contains a NUL byte"),
    ]

    @Test(arguments: cases)
    func refusedWithOneError(_ name: String, _ bytes: [UInt8], _ mark: SourceMark, _ message: String) throws {
        let result = GatewayConfigDecoder(file: "herald.yaml", bytes: bytes)
        #expect(result.log.diagnostics.count == 1, "\(result.log.diagnostics)")
        let error = try #require(result.log.diagnostics.first)
        #expect(error.severity == .error)
        #expect(error.mark == mark)
        #expect(error.message.contains(message), "\(error.message)")
        #expect(result.config == nil)
    }
}
