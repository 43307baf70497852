import Foundation
import HeraldConfig
import HeraldCore
import Testing

// Diagnostics of one rule file (`RuleFileDecoder`): each case is a small YAML text and every
// diagnostic it must produce, no more and no fewer, as exact line:col, severity and a part of
// the message. Cross-file checks (duplicate ids, endpoints, templates, params) are in
// RuleCatalogTests.swift; herald.yaml is in GatewayConfigTests.swift.

// MARK: - Shared helpers (also used by RuleCatalogTests and GatewayConfigTests)

/// A diagnostic a test expects: where, how severe, and a part of `MESSAGE; HINT`.
struct ExpectedDiagnostic: Sendable, CustomStringConvertible {
    var line: Int
    var column: Int
    var severity: Diagnostic.Severity
    var text: String
    /// When set, the diagnostic's file must be this one.
    var file: String?

    static func error(_ line: Int, _ column: Int, _ text: String, file: String? = nil) -> ExpectedDiagnostic {
        ExpectedDiagnostic(line: line, column: column, severity: .error, text: text, file: file)
    }

    static func warning(_ line: Int, _ column: Int, _ text: String, file: String? = nil) -> ExpectedDiagnostic {
        ExpectedDiagnostic(line: line, column: column, severity: .warning, text: text, file: file)
    }

    func matches(_ diagnostic: Diagnostic) -> Bool {
        diagnostic.mark == SourceMark(line: line, column: column) && diagnostic.severity == severity
            && (file == nil || diagnostic.file == file)
            && "\(diagnostic.message); \(diagnostic.hint)".contains(text)
    }

    var description: String { "\(file.map { "\($0):" } ?? "")\(line):\(column): \(severity.rawValue): …\(text)…" }
}

/// Checks that `actual` holds exactly the `expected` diagnostics (in any order), and records one
/// issue listing what is missing and what is extra.
func expectDiagnostics(
    _ actual: [Diagnostic], _ expected: [ExpectedDiagnostic], _ context: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    var unmatched = actual
    var missing: [ExpectedDiagnostic] = []
    for expectation in expected {
        if let index = unmatched.firstIndex(where: expectation.matches) {
            unmatched.remove(at: index)
        } else {
            missing.append(expectation)
        }
    }
    guard !missing.isEmpty || !unmatched.isEmpty else { return }
    var report = context.isEmpty ? "" : "\(context)\n"
    if !missing.isEmpty {
        report += "expected but not reported:\n" + missing.map { "  \($0)" }.joined(separator: "\n") + "\n"
    }
    if !unmatched.isEmpty {
        report += "reported but not expected:\n" + unmatched.map { "  \($0)" }.joined(separator: "\n") + "\n"
    }
    report += "all reported:\n" + actual.map { "  \($0)" }.joined(separator: "\n")
    Issue.record(Comment(rawValue: report), sourceLocation: sourceLocation)
}

/// A table row: a named YAML text and the diagnostics it must produce.
struct DiagnosticCase: Sendable, CustomTestStringConvertible {
    var name: String
    var yaml: String
    var expected: [ExpectedDiagnostic]

    init(_ name: String, _ yaml: String, _ expected: [ExpectedDiagnostic]) {
        self.name = name
        self.yaml = yaml
        self.expected = expected
    }

    var testDescription: String { name }
}

/// The package root (the folder holding Package.swift), found from this file's path.
enum PackageRoot {
    static let url: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // HeraldConfigTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    static func bytes(_ relativePath: String) throws -> [UInt8] {
        Array(try Data(contentsOf: url.appending(path: relativePath)))
    }
}

/// Hostile YAML shared by the catalog and config tests.
enum HostileYAML {
    /// The "billion laughs", ten levels of ten: it would expand to 10^10 scalars. Line 1 holds 13
    /// nodes with the root mapping; each `*a` on line 2 adds 11, and each `*e` on line 6 111 111.
    static let aliasBomb: String = {
        var yaml = "a: &a [" + Array(repeating: "lol", count: 10).joined(separator: ", ") + "]\n"
        let names = Array("abcdefghij").map(String.init)
        for level in 1..<names.count {
            let items = Array(repeating: "*\(names[level - 1])", count: 10).joined(separator: ", ")
            yaml += "\(names[level]): &\(names[level]) [\(items)]\n"
        }
        return yaml
    }()
}

private func decodeRuleFile(_ yaml: String) -> RuleFileDecoder {
    RuleFileDecoder(file: "rules/t.yaml", bytes: Array(yaml.utf8))
}

// MARK: - YAML syntax and file shape

@Suite("Rule file diagnostics: YAML syntax and file shape")
struct RuleDiagnosticsFileShapeTests {
    static let cases: [DiagnosticCase] = [
        DiagnosticCase(
            "syntax error: unclosed flow mapping is reported where the parser stopped",
            #"""
            rules:
              - id: r
                match: {type: [x]
                template: t
            """#,
            [.error(4, 5, "expected ',' or '}' in the mapping that starts at 3:12")]),
        DiagnosticCase(
            "syntax error: unclosed quote",
            #"""
            rules:
              - id: "r
            """#,
            [.error(2, 9, "quoted value is not closed")]),
        DiagnosticCase(
            "syntax error: tab in indentation",
            "rules:\n\t- id: r\n",
            [.error(2, 1, "tab character in indentation")]),
        DiagnosticCase(
            "syntax error: a second document",
            "rules:\n---\ntemplates:\n",
            [.error(2, 1, "a second document starts at line 2")]),
        DiagnosticCase(
            "the file is a list, not a mapping",
            "- id: r\n",
            [.error(1, 1, "a rule file must be a mapping, not a list")]),
        DiagnosticCase(
            "misspelt top-level key",
            #"""
            rule:
              - id: r
            """#,
            [
                .error(1, 1, "unknown key 'rule' in a rule file; did you mean 'rules'?"),
                .warning(1, 1, "file has neither 'rules:' nor 'templates:'"),
            ]),
        DiagnosticCase(
            "unknown top-level key without a close match lists the allowed keys",
            "colour: red\nrules:\n",
            [.error(1, 1, "unknown key 'colour' in a rule file; allowed keys are 'rules', 'templates'")]),
        DiagnosticCase(
            "'rules' is a mapping, not a list",
            "rules: {id: r}\n",
            [.error(1, 8, "'rules' must be a list, not a mapping")]),
        DiagnosticCase(
            "'templates' is a list, not a mapping",
            "templates: [t]\n",
            [.error(1, 12, "'templates' must be a mapping, not a list")]),
        DiagnosticCase("empty 'rules:' and 'templates:' are allowed", "rules:\ntemplates:\n", []),
        DiagnosticCase("an empty file is a warning", "", [.warning(1, 1, "file is empty")]),
        DiagnosticCase("a file with only comments is a warning", "# nothing yet\n", [.warning(1, 1, "file is empty")]),
    ]

    @Test(arguments: cases)
    func reports(_ test: DiagnosticCase) {
        expectDiagnostics(decodeRuleFile(test.yaml).diagnostics, test.expected)
    }

    @Test func syntaxErrorStopsTheFileWithOneDiagnostic() {
        let decoder = decodeRuleFile("rules:\n  - id: a: b\n")
        #expect(decoder.diagnostics.count == 1)
        #expect(decoder.diagnostics.first?.mark == SourceMark(line: 2, column: 10))
        #expect(decoder.rules.isEmpty && decoder.templates.isEmpty)
    }

    @Test func descriptionIsCompilerStyle() throws {
        let decoder = decodeRuleFile("rule:\n")
        let first = try #require(decoder.diagnostics.first)
        #expect(first.description == "rules/t.yaml:1:1: error: unknown key 'rule' in a rule file; did you mean 'rules'?")
        let plain = Diagnostic(.warning, file: "rules/x.yml", mark: SourceMark(line: 12, column: 7), message: "m", hint: "")
        #expect(plain.description == "rules/x.yml:12:7: warning: m")
    }
}

// MARK: - Keys: unknown, missing, duplicate

@Suite("Rule file diagnostics: keys")
struct RuleDiagnosticsKeyTests {
    static let unknownKeys: [DiagnosticCase] = [
        DiagnosticCase(
            "misspelt required rule key: only the unknown key, not also 'missing'",
            #"""
            rules:
              - id: r
                match: {type: [x]}
                recipient: {address: $.to}
                channels: [sms]
                tempalte: t
            """#,
            [.error(6, 5, "unknown key 'tempalte' in rule 'r'; did you mean 'template'?")]),
        DiagnosticCase(
            "misspelt optional rule key",
            #"""
            rules:
              - id: r
                match: {type: [x]}
                recipient: {address: $.to}
                channels: [sms]
                template: t
                descripton: x
            """#,
            [.error(7, 5, "unknown key 'descripton' in rule 'r'; did you mean 'description'?")]),
        DiagnosticCase(
            "unknown rule key without a close match lists the allowed keys",
            #"""
            rules:
              - id: r
                match: {type: [x]}
                recipient: {address: $.to}
                channels: [sms]
                template: t
                colour: red
            """#,
            [.error(7, 5, "unknown key 'colour' in rule 'r'; allowed keys are 'id', 'description', 'enabled'")]),
        DiagnosticCase(
            "misspelt required template key: only the unknown key",
            #"""
            templates:
              t:
                defualt_locale: en
                text: {en: hi}
            """#,
            [.error(3, 5, "unknown key 'defualt_locale' in template 't'; did you mean 'default_locale'?")]),
        DiagnosticCase(
            "misspelt required recipient key: only the unknown key",
            #"""
            rules:
              - id: r
                match: {type: [x]}
                recipient: {adress: $.to}
                channels: [sms]
                template: t
            """#,
            [.error(4, 17, "unknown key 'adress' in 'recipient' of rule 'r'; did you mean 'address'?")]),
        DiagnosticCase(
            "misspelt required money key: only the unknown key",
            #"""
            rules:
              - id: r
                match: {type: [x]}
                recipient: {address: $.to}
                channels: [sms]
                template: t
                params: {amount: {money: $.a, currncy: INR}}
            """#,
            [.error(7, 35, "unknown key 'currncy' in param 'amount' of rule 'r'; did you mean 'currency'?")]),
        DiagnosticCase(
            "unknown key in a datetime param",
            #"""
            rules:
              - id: r
                match: {type: [x]}
                recipient: {address: $.to}
                channels: [sms]
                template: t
                params: {when: {datetime: $.t, zone: UTC}}
            """#,
            [.error(7, 36, "unknown key 'zone' in param 'when' of rule 'r'; allowed keys are 'datetime', 'timezone'")]),
    ]

    @Test(arguments: unknownKeys)
    func unknownKey(_ test: DiagnosticCase) {
        expectDiagnostics(decodeRuleFile(test.yaml).diagnostics, test.expected)
    }

    static let missingKeys: [DiagnosticCase] = [
        DiagnosticCase(
            "a rule with none of the required keys: each reported at its first key",
            #"""
            rules:
              - description: nothing yet
            """#,
            ["id", "match", "recipient", "channels", "template"].map {
                ExpectedDiagnostic.error(2, 5, "missing key '\($0)' in rule at line 2; add '\($0):'")
            }),
        DiagnosticCase(
            "a flow-style rule: reported at its '{'",
            "rules: [{id: r}]\n",
            ["match", "recipient", "channels", "template"].map { ExpectedDiagnostic.error(1, 9, "missing key '\($0)' in rule 'r'") }),
        DiagnosticCase(
            "a template with neither required key",
            #"""
            templates:
              t:
                description: x
            """#,
            [
                .error(3, 5, "missing key 'default_locale' in template 't'"),
                .error(3, 5, "missing key 'text' in template 't'"),
            ]),
        DiagnosticCase(
            "a template without 'text': only the missing key, not also 'default locale has no text'",
            #"""
            templates:
              t:
                default_locale: en
            """#,
            [.error(3, 5, "missing key 'text' in template 't'")]),
        DiagnosticCase(
            "a template without 'default_locale'",
            "templates:\n  t: {text: {en: hi}}\n",
            [.error(2, 6, "missing key 'default_locale' in template 't'")]),
        DiagnosticCase(
            "a recipient without 'address'",
            #"""
            rules:
              - id: r
                match: {type: [x]}
                recipient: {locale: en}
                channels: [sms]
                template: t
            """#,
            [.error(4, 16, "missing key 'address' in 'recipient' of rule 'r'")]),
        DiagnosticCase(
            "a money param without 'currency'",
            #"""
            rules:
              - id: r
                match: {type: [x]}
                recipient: {address: $.to}
                channels: [sms]
                template: t
                params: {amount: {money: $.a}}
            """#,
            [.error(7, 22, "missing key 'currency' in param 'amount' of rule 'r'")]),
    ]

    @Test(arguments: missingKeys)
    func missingKey(_ test: DiagnosticCase) {
        expectDiagnostics(decodeRuleFile(test.yaml).diagnostics, test.expected)
    }

    static let duplicateKeys: [DiagnosticCase] = [
        DiagnosticCase(
            "a rule key given twice: reported at the second",
            #"""
            rules:
              - id: r
                description: one
                match: {type: [x]}
                recipient: {address: $.to}
                channels: [sms]
                template: t
                description: two
            """#,
            [.error(8, 5, "duplicate key 'description' (first at line 3)")]),
        DiagnosticCase(
            "a pattern field given twice",
            #"""
            rules:
              - id: r
                match: {type: [x], type: [y]}
                recipient: {address: $.to}
                channels: [sms]
                template: t
            """#,
            [.error(3, 24, "duplicate key 'type' (first at line 3)")]),
        DiagnosticCase(
            "a locale given twice in a template's text",
            #"""
            templates:
              t:
                default_locale: en
                text:
                  en: a
                  en: b
            """#,
            [.error(6, 7, "duplicate key 'en' (first at line 5)")]),
        DiagnosticCase(
            "a template id given twice in one file",
            #"""
            templates:
              t: {default_locale: en, text: {en: a}}
              t: {default_locale: en, text: {en: b}}
            """#,
            [.error(3, 3, "duplicate key 't' (first at line 2)")]),
        DiagnosticCase(
            // docs/rules.md: "Case does not matter (pt-br is pt-BR), so pt-br and pt-BR in the same text are a duplicate."
            "the same locale in two spellings is a duplicate",
            #"""
            templates:
              t:
                default_locale: en
                text:
                  en: a
                  pt-br: b
                  pt-BR: c
            """#,
            [.error(7, 7, "pt-BR")]),
        DiagnosticCase(
            "a channel listed twice",
            #"""
            rules:
              - id: r
                match: {type: [x]}
                recipient: {address: $.to}
                channels: [sms, sms]
                template: t
            """#,
            [.error(5, 21, "channel 'sms' is listed twice in rule 'r'")]),
    ]

    @Test(arguments: duplicateKeys)
    func duplicateKey(_ test: DiagnosticCase) {
        expectDiagnostics(decodeRuleFile(test.yaml).diagnostics, test.expected)
    }
}

// MARK: - Types and names

@Suite("Rule file diagnostics: wrong types and bad names")
struct RuleDiagnosticsTypeTests {
    /// A valid rule with line 7 (and, when given, the lines after) added, or one of lines 2–6 replaced.
    static func rule(id: String = "r", match: String = "{type: [x]}", recipient: String = "{address: $.to}",
                     channels: String = "[sms]", template: String = "t", extra: String = "") -> String {
        """
        rules:
          - id: \(id)
            match: \(match)
            recipient: \(recipient)
            channels: \(channels)
            template: \(template)

        """ + extra
    }

    static let cases: [DiagnosticCase] = [
        DiagnosticCase(
            "channels as a string", rule(channels: "sms"),
            [.error(5, 15, "'channels' of rule 'r' must be a list, not a string; write 'channels: [sms]'")]),
        DiagnosticCase(
            "channels as a mapping", rule(channels: "{sms: 1}"),
            [.error(5, 15, "'channels' of rule 'r' must be a list, not a mapping")]),
        DiagnosticCase("no channels", rule(channels: "[]"), [.error(5, 15, "rule 'r' has no channels")]),
        DiagnosticCase(
            "a channel that is a number", rule(channels: "[sms, 5]"),
            [.error(5, 21, "a channel of rule 'r' must be a string, not a number")]),
        DiagnosticCase(
            "enabled as a string", rule(extra: "    enabled: \"yes\"\n"),
            [.error(7, 14, "'enabled' of rule 'r' must be true or false, not a string")]),
        DiagnosticCase(
            "enabled as a number", rule(extra: "    enabled: 1\n"),
            [.error(7, 14, "'enabled' of rule 'r' must be true or false, not a number")]),
        DiagnosticCase(
            "match as a list", rule(match: "[type]"),
            [.error(3, 12, "'match' of rule 'r' must be an event pattern (a mapping), not a list")]),
        DiagnosticCase(
            "match as a string", rule(match: "bank.card"),
            [.error(3, 12, "'match' of rule 'r' must be an event pattern (a mapping), not a string")]),
        DiagnosticCase(
            "params as a list", rule(extra: "    params: [a, b]\n"),
            [.error(7, 13, "'params' of rule 'r' must be a mapping, not a list")]),
        DiagnosticCase(
            "recipient as a string", rule(recipient: "$.to"),
            [.error(4, 16, "'recipient' of rule 'r' must be a mapping, not a string")]),
        DiagnosticCase(
            "template as a number", rule(template: "5"),
            [.error(6, 15, "'template' of rule 'r' must be a string, not a number")]),
        DiagnosticCase(
            "id as a number", rule(id: "42"),
            [.error(2, 9, "'id' of a rule must be a string, not a number")]),
        DiagnosticCase(
            "description as a list", rule(extra: "    description: [a]\n"),
            [.error(7, 18, "'description' of rule 'r' must be a string, not a list")]),
        DiagnosticCase(
            "for_each as a list", rule(extra: "    for_each: [a]\n"),
            [.error(7, 15, "'for_each' of rule 'r' must be a string, not a list")]),
        DiagnosticCase(
            "recipient address as a list", rule(recipient: "{address: [a]}"),
            [.error(4, 26, "recipient 'address' of rule 'r' must be a path like $.data.x or a literal, not a list")]),
        DiagnosticCase(
            "recipient address as a boolean", rule(recipient: "{address: true}"),
            [.error(4, 26, "recipient 'address' of rule 'r' must be a path or a string, not a boolean")]),
        DiagnosticCase(
            "a '$' string that is not a path is a literal, with a warning", rule(recipient: "{address: \"$phone\"}"),
            [.warning(4, 26, "recipient 'address' of rule 'r' '$phone' is taken as a literal")]),
        DiagnosticCase(
            "a rule that is a string", "rules:\n  - just a string\n",
            [.error(2, 5, "a rule must be a mapping, not a string")]),
        DiagnosticCase(
            "a template that is a list", "templates:\n  t: [a]\n",
            [.error(2, 6, "template 't' must be a mapping, not a list")]),
        DiagnosticCase(
            "a template's text as a string", "templates:\n  t:\n    default_locale: en\n    text: hello\n",
            [.error(4, 11, "'text' of template 't' must be a mapping, not a string")]),
        DiagnosticCase(
            "a template's text that is a number", "templates:\n  t:\n    default_locale: en\n    text: {en: 5}\n",
            [.error(4, 16, "text 'en' of template 't' must be a string, not a number")]),
        DiagnosticCase(
            "a template with an empty text mapping", "templates:\n  t:\n    default_locale: en\n    text: {}\n",
            [.error(4, 11, "template 't' has no text")]),
        DiagnosticCase(
            "default_locale as a number", "templates:\n  t:\n    default_locale: 5\n    text: {en: a}\n",
            [.error(3, 21, "'default_locale' of template 't' must be a string, not a number")]),
    ]

    @Test(arguments: cases)
    func wrongType(_ test: DiagnosticCase) {
        expectDiagnostics(decodeRuleFile(test.yaml).diagnostics, test.expected)
    }

    static let badNames: [DiagnosticCase] = [
        DiagnosticCase(
            "rule id with a space", rule(id: "card fraud"),
            [.error(2, 9, "rule id 'card fraud' has characters other than letters, digits, '.', '_' and '-'; rename it, e.g. 'card-fraud'")]),
        DiagnosticCase(
            "rule id with a non-ASCII letter", rule(id: "café"),
            [.error(2, 9, "rule id 'café' has characters other than")]),
        DiagnosticCase("empty rule id", rule(id: "\"\""), [.error(2, 9, "rule id is empty")]),
        DiagnosticCase(
            "template id with a space", "templates:\n  bad id: {default_locale: en, text: {en: a}}\n",
            [.error(2, 3, "template id 'bad id' has characters other than letters, digits, '.', '_' and '-'; rename it, e.g. 'bad-id'")]),
        DiagnosticCase(
            "param name starting with a digit", rule(extra: "    params: {9bad: $.x}\n"),
            [.error(7, 14, "param name '9bad' is not a valid template argument name")]),
        DiagnosticCase(
            "param name with a hyphen", rule(extra: "    params: {last-4: $.x}\n"),
            [.error(7, 14, "param name 'last-4' is not a valid template argument name")]),
    ]

    @Test(arguments: badNames)
    func badName(_ test: DiagnosticCase) {
        expectDiagnostics(decodeRuleFile(test.yaml).diagnostics, test.expected)
    }

    @Test func ruleWithErrorsHasNoCompiledRule() throws {
        let decoder = decodeRuleFile(Self.rule(channels: "sms"))
        let declaration = try #require(decoder.rules.first)
        #expect(declaration.id == "r")
        #expect(declaration.rule == nil)
        #expect(declaration.templateID == "t")
        #expect(declaration.templateMark == SourceMark(line: 6, column: 15))
    }
}

// MARK: - Paths

@Suite("Rule file diagnostics: paths")
struct RuleDiagnosticsPathTests {
    /// A valid rule whose recipient block is lines 6–7 (address) and whose extra lines start at 8.
    static func rule(address: String = "$.to", extra: String = "") -> String {
        """
        rules:
          - id: r
            match: {type: [x]}
            channels: [sms]
            template: t
            recipient:
              address: \(address)

        """ + extra
    }

    static let badPaths: [DiagnosticCase] = [
        DiagnosticCase(
            "descendant segment in a plain value: at the second '.'", rule(address: "$.data..phone"),
            [.error(7, 23, "recipient 'address' of rule 'r': bad path '$.data..phone'")]),
        DiagnosticCase(
            "space inside a double-quoted path: at the character after it",
            rule(extra: "      locale: \"$.data.cust omer\"\n"),
            [.error(8, 28, "recipient 'locale' of rule 'r': bad path '$.data.cust omer'")]),
        DiagnosticCase(
            "leading zero in a single-quoted path: at the zero", rule(extra: "      timezone: '$.a[01]'\n"),
            [.error(8, 22, "recipient 'timezone' of rule 'r': bad path '$.a[01]'")]),
        DiagnosticCase(
            "unclosed quoted key inside a flow mapping: at the quote",
            rule(extra: "    params: {amount: {money: \"$.data['amt\", currency: INR}}\n"),
            [.error(8, 38, "amount of param 'amount' of rule 'r': bad path '$.data['amt'")]),
        DiagnosticCase(
            "wildcard index: at the '*'", rule(extra: "    params: {item: \"$.data.items[*]\"}\n"),
            [.error(8, 34, "param 'item' of rule 'r': bad path '$.data.items[*]'")]),
        DiagnosticCase(
            "bad for_each path", rule(extra: "    for_each: $..passengers\n"),
            [.error(8, 17, "'for_each' of rule 'r': bad path '$..passengers'")]),
        DiagnosticCase(
            // Columns count Unicode scalars (as libyaml does): न ा म are three of them.
            "after a non-ASCII member name: still at the offending character", rule(address: "$.data.नाम..x"),
            [.error(7, 27, "bad path '$.data.नाम..x'")]),
    ]

    @Test(arguments: badPaths)
    func badPath(_ test: DiagnosticCase) {
        expectDiagnostics(decodeRuleFile(test.yaml).diagnostics, test.expected)
    }

    static let elementPaths: [DiagnosticCase] = [
        DiagnosticCase(
            "'@' recipient without for_each", rule(address: "\"@.phone\""),
            [.error(7, 16, "recipient 'address' of rule 'r' uses '@', which needs 'for_each'")]),
        DiagnosticCase(
            "'@' param without for_each", rule(extra: "    params: {name: \"@.name\"}\n"),
            [.error(8, 20, "param 'name' of rule 'r' uses '@', which needs 'for_each'")]),
        DiagnosticCase(
            "'@' money amount without for_each",
            rule(extra: "    params: {amount: {money: \"@.amt\", currency: INR}}\n"),
            [.error(8, 30, "amount of param 'amount' of rule 'r' uses '@', which needs 'for_each'")]),
        DiagnosticCase(
            "'@' paths with for_each are fine",
            rule(address: "\"@.phone\"", extra: "    for_each: $.data.passengers\n    params: {name: \"@.name\", whole: \"@\"}\n"),
            []),
        DiagnosticCase(
            "for_each starting at '@'", rule(extra: "    for_each: \"@.items\"\n"),
            [.error(8, 15, "'for_each' of rule 'r' must start at the event ($), not at '@'")]),
        DiagnosticCase(
            "for_each that is '@' itself", rule(extra: "    for_each: \"@\"\n"),
            [.error(8, 15, "'for_each' of rule 'r' must start at the event ($), not at '@'")]),
    ]

    @Test(arguments: elementPaths)
    func elementPath(_ test: DiagnosticCase) {
        expectDiagnostics(decodeRuleFile(test.yaml).diagnostics, test.expected)
    }
}

// MARK: - Event patterns

@Suite("Rule file diagnostics: event patterns")
struct RuleDiagnosticsPatternTests {
    /// A valid rule whose `match:` is on line 6, `type` on line 7, `data:` on line 8 and `fields` from line 9.
    static func rule(_ fields: String) -> String {
        """
        rules:
          - id: r
            recipient: {address: $.to}
            channels: [sms]
            template: t
            match:
              type: [x]
              data:
        \(fields)

        """
    }

    static let cases: [DiagnosticCase] = [
        DiagnosticCase(
            // docs/rules.md: "a problem in match: … an unknown operator's key".
            "unknown operator: at the operator's key",
            rule("        status: [{anything_but: [cancelled]}]"),
            [.error(9, 19, #"unknown operator "anything_but"; did you mean "anything-but"?"#)]),
        DiagnosticCase(
            "unknown operator in a flow mapping: at the operator's key",
            rule("        name: [{prefixx: abc}]"),
            [.error(9, 17, #"unknown operator "prefixx"; did you mean "prefix"?"#)]),
        DiagnosticCase(
            "unknown operator inside anything-but: at the operator's key",
            rule("        region: [{anything-but: {prefixx: sa-}}]"),
            [.error(9, 34, #"anything-but cannot contain "prefixx""#)]),
        DiagnosticCase(
            "an operator object with two operators: at the second operator's key",
            rule("        name: [{prefix: a, suffix: b}]"),
            [.error(9, 28, "an operator object holds exactly one operator, but this one has 2")]),
        DiagnosticCase(
            "numeric range with lower bound above upper: at the list after numeric",
            rule(#"        amount: [{numeric: [">=", 50000, "<", 1000]}]"#),
            [.error(9, 28, "numeric range needs a lower bound below its upper bound (50000 is not below 1000)")]),
        DiagnosticCase(
            "numeric range with equal bounds",
            rule(#"        amount: [{numeric: [">", 5, "<", 5]}]"#),
            [.error(9, 28, "numeric range needs a lower bound below its upper bound (5 is not below 5)")]),
        DiagnosticCase(
            "numeric given a string, not a list",
            rule(#"        n: [{numeric: ">= 5"}]"#),
            [.error(9, 23, "numeric needs a list")]),
        DiagnosticCase(
            "empty value list: at the list",
            rule("        tags: []"),
            [.error(9, 15, "an empty value list matches nothing and is not allowed")]),
        DiagnosticCase(
            "a leaf that is not a list: at the value",
            rule("        status: cancelled"),
            [.error(9, 17, #""status" must hold a list of values or a nested object, not the string "cancelled""#)]),
        DiagnosticCase(
            "a list inside a value list",
            rule("        n: [[1]]"),
            [.error(9, 13, "a value list cannot contain another list")]),
        DiagnosticCase(
            "prefix given a number: at the operand",
            rule("        name: [{prefix: 5}]"),
            [.error(9, 25, "prefix needs a string, not")]),
        DiagnosticCase(
            "exists given a string: at the operand",
            rule(#"        gone: [{exists: "yes"}]"#),
            [.error(9, 25, "exists takes true or false")]),
        DiagnosticCase(
            "every problem of a pattern is reported",
            rule("        tags: []\n        status: cancelled"),
            [
                .error(9, 15, "an empty value list matches nothing"),
                .error(10, 17, #""status" must hold a list of values"#),
            ]),
        DiagnosticCase(
            "$or with one alternative",
            rule("        $or: [{a: [1]}]"),
            [.error(9, 14, "$or needs at least two alternatives, found 1")]),
    ]

    @Test(arguments: cases)
    func invalidPattern(_ test: DiagnosticCase) {
        let decoder = decodeRuleFile(test.yaml)
        expectDiagnostics(decoder.diagnostics, test.expected)
        #expect(decoder.rules.first?.rule == nil, "a rule with an invalid pattern is not compiled")
    }

    @Test func emptyMatch() {
        let yaml = "rules:\n  - id: r\n    match: {}\n    recipient: {address: $.to}\n    channels: [sms]\n    template: t\n"
        expectDiagnostics(decodeRuleFile(yaml).diagnostics, [.error(3, 12, "an empty object matches nothing")])
    }

    @Test func validPatternCompiles() throws {
        let decoder = decodeRuleFile(Self.rule(#"        amount: [{numeric: [">", 0, "<=", 5]}]"#))
        expectDiagnostics(decoder.diagnostics, [])
        let rule = try #require(decoder.rules.first?.rule)
        #expect(rule.pattern.matches(["type": "x", "data": ["amount": 3]]))
        #expect(!rule.pattern.matches(["type": "x", "data": ["amount": 6]]))
    }
}

// MARK: - Templates

@Suite("Rule file diagnostics: templates")
struct RuleDiagnosticsTemplateTests {
    /// A template `t` with `default_locale` on line 3 and its texts from line 5.
    static func template(defaultLocale: String = "en", _ texts: String) -> String {
        """
        templates:
          t:
            default_locale: \(defaultLocale)
            text:
        \(texts)

        """
    }

    static let messageFormat: [DiagnosticCase] = [
        DiagnosticCase(
            "plain scalar: at the unclosed '{'", template("      en: Hi {name"),
            [.error(5, 14, "text 'en' of template 't': unmatched '{'")]),
        DiagnosticCase(
            "double-quoted: at the '}' that ends a plural without 'other'",
            template(#"      en: "Hi {name, plural, one {x}}""#),
            [.error(5, 37, "text 'en' of template 't': the plural argument 'name' has no 'other' case")]),
        DiagnosticCase(
            "single-quoted: at the unknown argument type", template("      en: 'Hi {name, foo}'"),
            [.error(5, 22, "text 'en' of template 't': unknown argument type 'foo'")]),
        DiagnosticCase(
            "literal block: at the '{' on the block's second line",
            template("      en: |\n        Dear customer,\n        your code is {code"),
            [.error(7, 22, "text 'en' of template 't': unmatched '{'")]),
        DiagnosticCase(
            "literal block with a more-indented line: at the '{'",
            template("      en: |\n        Hello\n          {bad"),
            [.error(7, 11, "text 'en' of template 't': unmatched '{'")]),
        DiagnosticCase(
            // Columns count Unicode scalars, as libyaml does: नमस्ते is six of them.
            "plain scalar after Devanagari text: at the '{'",
            template("      en: Hi {name}\n      hi: नमस्ते {name"),
            [.error(6, 18, "text 'hi' of template 't': unmatched '{'")]),
        DiagnosticCase(
            "double-quoted with an escape: at the opening quote (documented fallback)",
            template(#"      en: "Say \"hi\" {name""#),
            [.error(5, 11, "text 'en' of template 't': unmatched '{'")]),
        DiagnosticCase(
            "every text's error is reported",
            template("      en: Hi {name\n      pt-BR: Oi {nome"),
            [
                .error(5, 14, "text 'en' of template 't': unmatched '{'"),
                .error(6, 17, "text 'pt-BR' of template 't': unmatched '{'"),
            ]),
    ]

    @Test(arguments: messageFormat)
    func messageFormatError(_ test: DiagnosticCase) {
        let decoder = decodeRuleFile(test.yaml)
        expectDiagnostics(decoder.diagnostics, test.expected)
        #expect(decoder.templates.first?.template == nil, "a template with errors is not compiled")
    }

    static let locales: [DiagnosticCase] = [
        DiagnosticCase(
            "default_locale without text", template(defaultLocale: "hi", "      en: Hello"),
            [.error(3, 21, "default locale 'hi' of template 't' has no text; add 'hi: \"...\"' under 'text:' or pick one of en")]),
        DiagnosticCase(
            "invalid locale key", template("      en: Hello\n      english: Hello"),
            [.error(6, 7, "'english' is not a BCP 47 locale")]),
        DiagnosticCase(
            "one-letter locale key", template("      en: Hello\n      e: Hello"),
            [.error(6, 7, "'e' is not a BCP 47 locale")]),
        DiagnosticCase(
            "invalid default_locale", template(defaultLocale: "en-", "      en: Hello"),
            [.error(3, 21, "'en-' is not a BCP 47 locale")]),
        DiagnosticCase(
            "locales compare in canonical case", template(defaultLocale: "pt_br", "      pt-BR: Olá\n      EN: Hello"),
            []),
    ]

    @Test(arguments: locales)
    func locale(_ test: DiagnosticCase) {
        expectDiagnostics(decodeRuleFile(test.yaml).diagnostics, test.expected)
    }

    @Test func validTemplateCompiles() throws {
        let decoder = decodeRuleFile(Self.template("      en: \"{n, plural, one {# minute} other {# minutes}}\"\n      hi: \"{n} मिनट\""))
        expectDiagnostics(decoder.diagnostics, [])
        let declaration = try #require(decoder.templates.first)
        let template = try #require(declaration.template)
        #expect(template.defaultLocale == "en")
        #expect(template.translations.map(\.locale) == ["en", "hi"])
        #expect(declaration.translationMarks["hi"] == SourceMark(line: 6, column: 11))
    }
}

// MARK: - Recipients and params

@Suite("Rule file diagnostics: recipients and params")
struct RuleDiagnosticsParamTests {
    /// A valid rule with `extra` from line 7 (params go there).
    static func rule(recipient: String = "{address: $.to}", _ extra: String = "") -> String {
        RuleDiagnosticsTypeTests.rule(recipient: recipient, extra: extra)
    }

    static let cases: [DiagnosticCase] = [
        DiagnosticCase(
            "unknown currency code", rule("    params: {amount: {money: $.a, currency: RUPEES}}\n"),
            [.error(7, 45, "currency of param 'amount' of rule 'r': 'RUPEES' is not an ISO 4217 currency code")]),
        DiagnosticCase(
            "currency code in lower case: suggests the code", rule("    params: {amount: {money: $.a, currency: inr}}\n"),
            [.error(7, 45, "'inr' is not an ISO 4217 currency code; did you mean 'INR'?")]),
        DiagnosticCase(
            "currency as a number", rule("    params: {amount: {money: $.a, currency: 356}}\n"),
            [.error(7, 45, "currency of param 'amount' of rule 'r' must be a path or a string, not a number")]),
        DiagnosticCase(
            "currency as a code or a path is fine",
            rule("    params: {amount: {money: $.a, currency: INR}, other: {money: $.b, currency: $.c}}\n"), []),
        DiagnosticCase(
            "misspelt time zone in the recipient: suggests the zone",
            rule(recipient: "{address: $.to, timezone: America/Sao_Paolo}"),
            [.error(4, 42, "recipient 'timezone' of rule 'r': unknown time zone 'America/Sao_Paolo'; did you mean 'America/Sao_Paulo'?")]),
        DiagnosticCase(
            "misspelt time zone in a datetime param: suggests the canonical zone",
            rule("    params: {when: {datetime: $.t, timezone: Asia/Kolkatta}}\n"),
            [.error(7, 46, "timezone of param 'when' of rule 'r': unknown time zone 'Asia/Kolkatta'; did you mean 'Asia/Kolkata'?")]),
        DiagnosticCase(
            // docs/rules.md: "unknown time zone 'IST'; use an IANA zone name such as Asia/Kolkata".
            "an abbreviation is not an IANA zone", rule("    params: {when: {datetime: $.t, timezone: IST}}\n"),
            [.error(7, 46, "unknown time zone 'IST'")]),
        DiagnosticCase(
            "an unknown zone with no close match", rule(recipient: "{address: $.to, timezone: Mars/Olympus_Mons}"),
            [.error(4, 42, "unknown time zone 'Mars/Olympus_Mons'; write an IANA zone such as")]),
        DiagnosticCase(
            "IANA zones and paths are fine",
            rule(recipient: "{address: $.to, timezone: Asia/Kolkata}",
                 "    params: {a: {datetime: $.t, timezone: America/Sao_Paulo}, b: {datetime: $.t, timezone: $.z}, c: {datetime: $.t}}\n"),
            []),
        DiagnosticCase(
            "invalid literal recipient locale", rule(recipient: "{address: $.to, locale: not a locale}"),
            [.error(4, 40, "'not a locale' is not a BCP 47 locale")]),
        DiagnosticCase(
            "money amount given a literal", rule("    params: {amount: {money: 5, currency: INR}}\n"),
            [.error(7, 30, "amount of param 'amount' of rule 'r' must be a path into the event, not a number")]),
        DiagnosticCase(
            "datetime given a literal", rule("    params: {when: {datetime: \"2025-03-14T14:25:00Z\"}}\n"),
            [.error(7, 31, "datetime of param 'when' of rule 'r' must be a path into the event, not a string")]),
        DiagnosticCase(
            "number given a literal", rule("    params: {points: {number: 5}}\n"),
            [.error(7, 31, "number of param 'points' of rule 'r' must be a path into the event, not a number")]),
        DiagnosticCase(
            "more than one param type", rule("    params: {x: {money: $.a, number: $.b}}\n"),
            [.error(7, 17, "param 'x' of rule 'r' names more than one param type (money, number)")]),
        DiagnosticCase(
            "no param type", rule("    params: {x: {value: $.a}}\n"),
            [
                .error(7, 17, "param 'x' of rule 'r' names no param type"),
                .error(7, 18, "unknown key 'value' in param 'x' of rule 'r'"),
            ]),
        DiagnosticCase(
            "a param that is a list", rule("    params: {x: [1, 2]}\n"),
            [.error(7, 17, "param 'x' of rule 'r' must be a path, a literal or one of {money: …}, {datetime: …}, {number: …}, not a list")]),
        DiagnosticCase(
            "literal params are fine", rule("    params: {bank: Aurora Bank, attempts: 3, vip: true, n: {number: $.n}}\n"), []),
    ]

    @Test(arguments: cases)
    func param(_ test: DiagnosticCase) {
        expectDiagnostics(decodeRuleFile(test.yaml).diagnostics, test.expected)
    }

    @Test func validRuleDecodesEveryPart() throws {
        let yaml = Self.rule(
            recipient: "{address: \"+5511912345678\", locale: pt_br, timezone: America/Sao_Paulo}",
            "    enabled: false\n    params: {amount: {money: $.a, currency: BRL}, when: {datetime: $.t}}\n")
        let decoder = decodeRuleFile(yaml)
        expectDiagnostics(decoder.diagnostics, [])
        let rule = try #require(decoder.rules.first?.rule)
        #expect(rule.id == "r")
        #expect(!rule.enabled)
        #expect(rule.channels == ["sms"])
        #expect(rule.templateID == "t")
        #expect(rule.recipient.address == .literal("+5511912345678"))
        #expect(rule.recipient.locale == .literal("pt-BR"))
        #expect(rule.params.map(\.name) == ["amount", "when"])
    }
}
