import Foundation
import HeraldConfig
import HeraldCore
import Testing

// The checks across rule files (`RuleCatalog`): duplicate ids, endpoints, templates and their
// params; the real samples; the broken samples against samples/broken/EXPECTED.txt; and hostile
// files, refused with one clear error while the other files are still checked.

/// One file of a catalog case.
struct NamedYAML: Sendable {
    var name: String
    var yaml: String
    init(_ name: String, _ yaml: String) {
        self.name = name
        self.yaml = yaml
    }
}

/// A table row: several files, the endpoint names (nil: not checked), and every diagnostic expected.
struct CatalogCase: Sendable, CustomTestStringConvertible {
    var name: String
    var files: [NamedYAML]
    var endpoints: Set<String>?
    var expected: [ExpectedDiagnostic]

    init(_ name: String, _ files: [NamedYAML], endpoints: Set<String>? = ["sms", "whatsapp"], _ expected: [ExpectedDiagnostic]) {
        self.name = name
        self.files = files
        self.endpoints = endpoints
        self.expected = expected
    }

    var testDescription: String { name }

    var catalog: RuleCatalog {
        RuleCatalog(sources: files.map { RuleCatalog.Source(name: $0.name, bytes: Array($0.yaml.utf8)) }, endpoints: endpoints)
    }
}

private func catalog(_ files: NamedYAML..., endpoints: Set<String>? = ["sms", "whatsapp"]) -> RuleCatalog {
    RuleCatalog(sources: files.map { RuleCatalog.Source(name: $0.name, bytes: Array($0.yaml.utf8)) }, endpoints: endpoints)
}

/// A valid rule file: one rule whose `id` is at 2:9, `channels` list at 5:15, `template` value at 6:15, params from line 7.
private func ruleFile(id: String = "r", channels: String = "[sms]", template: String = "greet", params: String = "") -> String {
    """
    rules:
      - id: \(id)
        match: {type: [x]}
        recipient: {address: $.to}
        channels: \(channels)
        template: \(template)

    """ + (params.isEmpty ? "" : "    params: {\(params)}\n")
}

/// A valid template file: the template's id at 2:3.
private func templateFile(id: String = "greet", text: String = "Hello") -> String {
    "templates:\n  \(id): {default_locale: en, text: {en: \"\(text)\"}}\n"
}

// MARK: - Cross-file checks

@Suite("Rule catalog: checks across files")
struct RuleCatalogCrossCheckTests {
    static let cases: [CatalogCase] = [
        CatalogCase(
            "a valid rule and its template in two files", [NamedYAML("a.yaml", ruleFile()), NamedYAML("t.yaml", templateFile())],
            []),
        CatalogCase(
            "duplicate rule id across files: at the later id, naming the first",
            [NamedYAML("a.yaml", ruleFile()), NamedYAML("b.yaml", ruleFile()), NamedYAML("t.yaml", templateFile())],
            [.error(2, 9, "duplicate rule id 'r'; rename one; it is first defined at a.yaml:2:9", file: "b.yaml")]),
        CatalogCase(
            "duplicate rule id in one file",
            [NamedYAML("a.yaml", ruleFile() + "  - id: r\n    match: {type: [y]}\n    recipient: {address: $.to}\n    channels: [sms]\n    template: greet\n"),
             NamedYAML("t.yaml", templateFile())],
            [.error(7, 9, "duplicate rule id 'r'; rename one; it is first defined at a.yaml:2:9", file: "a.yaml")]),
        CatalogCase(
            "duplicate template id across files: at the later id, naming the first",
            [NamedYAML("a.yaml", ruleFile()), NamedYAML("t.yaml", templateFile()), NamedYAML("u.yaml", templateFile(text: "Hi"))],
            [.error(2, 3, "duplicate template id 'greet'; rename one; it is first defined at t.yaml:2:3", file: "u.yaml")]),
        CatalogCase(
            "unknown endpoint with a close name",
            [NamedYAML("a.yaml", ruleFile(channels: "[whatsap]")), NamedYAML("t.yaml", templateFile())],
            [.error(5, 16, "rule 'r' sends to unknown endpoint 'whatsap'; did you mean 'whatsapp'?", file: "a.yaml")]),
        CatalogCase(
            "unknown endpoint without a close name lists the known ones",
            [NamedYAML("a.yaml", ruleFile(channels: "[sms, telegram]")), NamedYAML("t.yaml", templateFile())],
            [.error(5, 21, "rule 'r' sends to unknown endpoint 'telegram'; define it under 'endpoints:' in herald.yaml (known: sms, whatsapp)")]),
        CatalogCase(
            "no endpoints given (nil): channels are not checked",
            [NamedYAML("a.yaml", ruleFile(channels: "[telegram, pigeon]")), NamedYAML("t.yaml", templateFile())],
            endpoints: nil, []),
        CatalogCase(
            "an empty endpoint set: every channel is unknown",
            [NamedYAML("a.yaml", ruleFile(channels: "[sms]")), NamedYAML("t.yaml", templateFile())],
            endpoints: [], [.error(5, 16, "rule 'r' sends to unknown endpoint 'sms'")]),
        CatalogCase(
            "unknown template with a close id",
            [NamedYAML("a.yaml", ruleFile(template: "card_fraud_chek")), NamedYAML("t.yaml", templateFile(id: "card_fraud_check"))],
            [
                .error(6, 15, "rule 'r' uses unknown template 'card_fraud_chek'; did you mean 'card_fraud_check'?", file: "a.yaml"),
                .warning(2, 3, "template 'card_fraud_check' is not used by any rule", file: "t.yaml"),
            ]),
        CatalogCase(
            "unknown template with no template defined",
            [NamedYAML("a.yaml", ruleFile(template: "large_withdrawal"))],
            [.error(6, 15, "rule 'r' uses unknown template 'large_withdrawal'; define it under 'templates:' in a rule file")]),
        CatalogCase(
            "a rule with an unknown template: its params are not checked against any template",
            [NamedYAML("a.yaml", ruleFile(template: "nope", params: "name: $.n")), NamedYAML("t.yaml", templateFile(text: "Hi {name}"))],
            [
                .error(6, 15, "rule 'r' uses unknown template 'nope'"),
                .warning(2, 3, "template 'greet' is not used by any rule"),
            ]),
        CatalogCase(
            "a param the template uses but the rule does not give: at the rule's template value, once",
            [
                NamedYAML("a.yaml", ruleFile(params: "name: $.n")),
                NamedYAML(
                    "t.yaml",
                    "templates:\n  greet:\n    default_locale: en\n    text:\n      en: \"Hi {name}, {amount}\"\n      pt-BR: \"Oi {name}, {amount}\"\n"),
            ],
            [.error(6, 15, "template 'greet' (en) uses {amount}, which rule 'r' does not give; add 'amount: $.data.amount' under 'params:'", file: "a.yaml")]),
        CatalogCase(
            "a param used only by one translation is still required",
            [
                NamedYAML("a.yaml", ruleFile(params: "name: $.n")),
                NamedYAML(
                    "t.yaml",
                    "templates:\n  greet:\n    default_locale: en\n    text:\n      en: \"Hi {name}\"\n      hi: \"नमस्ते {name}, {flight}\"\n"),
            ],
            [.error(6, 15, "template 'greet' (hi) uses {flight}, which rule 'r' does not give")]),
        CatalogCase(
            "a param given but not used: a warning at the param's key",
            [NamedYAML("a.yaml", ruleFile(params: "name: $.n, extra: $.e")), NamedYAML("t.yaml", templateFile(text: "Hi {name}"))],
            [.warning(7, 25, "param 'extra' of rule 'r' is not used by template 'greet'", file: "a.yaml")]),
        CatalogCase(
            "a template no rule uses: a warning at its id",
            [NamedYAML("a.yaml", ruleFile()), NamedYAML("t.yaml", templateFile() + "  spare: {default_locale: en, text: {en: x}}\n")],
            [.warning(3, 3, "template 'spare' is not used by any rule; remove it", file: "t.yaml")]),
        CatalogCase(
            "a rule using a template with errors: no unknown-template or param diagnostics",
            [NamedYAML("a.yaml", ruleFile(params: "name: $.n")), NamedYAML("t.yaml", templateFile(text: "Hi {name"))],
            [.error(2, 46, "text 'en' of template 'greet': unmatched '{'", file: "t.yaml")]),
    ]

    @Test(arguments: cases)
    func crossCheck(_ test: CatalogCase) {
        expectDiagnostics(test.catalog.diagnostics, test.expected)
    }

    @Test func duplicateTemplateIDInOneFileIsReportedAtTheSecond() {
        let result = catalog(
            NamedYAML("a.yaml", ruleFile()),
            NamedYAML("t.yaml", templateFile() + "  greet: {default_locale: en, text: {en: Hi}}\n"))
        let atSecond = result.diagnostics.filter { $0.mark == SourceMark(line: 3, column: 3) && $0.severity == .error }
        #expect(!atSecond.isEmpty)
        #expect(atSecond.allSatisfy { $0.file == "t.yaml" })
        #expect(result.diagnostics.allSatisfy { $0.mark == SourceMark(line: 3, column: 3) }, "\(result.diagnostics)")
    }

    @Test func diagnosticsAreSortedByFileThenPosition() {
        let result = catalog(
            NamedYAML("b.yaml", ruleFile(id: "bad id", channels: "sms")),
            NamedYAML("a.yaml", ruleFile(channels: "[telegram]", template: "nope")))
        let places = result.diagnostics.map { "\($0.file):\($0.mark)" }
        #expect(places == ["a.yaml:5:16", "a.yaml:6:15", "b.yaml:2:9", "b.yaml:5:15", "b.yaml:6:15"])
    }

    @Test func ruleSetOnlyWithoutErrors() throws {
        let warningsOnly = catalog(NamedYAML("a.yaml", ruleFile(params: "extra: $.e")), NamedYAML("t.yaml", templateFile()))
        #expect(!warningsOnly.hasErrors)
        #expect(warningsOnly.diagnostics.map(\.severity) == [.warning])
        let ruleSet = try #require(warningsOnly.ruleSet)
        #expect(ruleSet.rules.map(\.id) == ["r"])
        #expect(ruleSet.templates.keys.sorted() == ["greet"])

        let withErrors = catalog(NamedYAML("a.yaml", ruleFile(channels: "[telegram]")), NamedYAML("t.yaml", templateFile()))
        #expect(withErrors.hasErrors)
        #expect(withErrors.ruleSet == nil)
    }
}

// MARK: - The samples

@Suite("Rule catalog: the samples")
struct RuleCatalogSampleTests {
    @Test func sampleRulesFolderIsValid() throws {
        let folder = PackageRoot.url.appending(path: "rules").path
        let paths = try RuleCatalog.ruleFiles(in: folder)
        #expect(paths.map { ($0 as NSString).lastPathComponent } == ["airline.yaml", "bank.yaml"])
        let read = RuleCatalog.readSources(paths)
        #expect(read.diagnostics.isEmpty)

        let config = GatewayConfigDecoder(file: "samples/herald.yaml", bytes: try PackageRoot.bytes("samples/herald.yaml"))
        expectDiagnostics(config.log.diagnostics, [])
        #expect(config.endpointNames == ["whatsapp", "sms", "ops", "bank-callback"])

        for endpoints in [config.endpointNames, nil] {
            let catalog = RuleCatalog(sources: read.sources, endpoints: endpoints)
            expectDiagnostics(catalog.diagnostics, [], "endpoints: \(String(describing: endpoints))")
            #expect(catalog.rules.count == 4)
            #expect(catalog.templates.count == 4)
            let ruleSet = try #require(catalog.ruleSet)
            #expect(ruleSet.rules.map(\.id) == ["flight-delay-notice", "flight-cancelled", "card-fraud-check", "large-cash-withdrawal"])
            #expect(catalog.locales == ["en", "hi", "id", "pt-BR"])
        }
    }

    /// One line of samples/broken/EXPECTED.txt: `FILE:LINE:COL what`.
    struct BrokenSampleError: Sendable, CustomTestStringConvertible {
        var file: String
        var line: Int
        var column: Int
        var what: String
        var testDescription: String { "\(file):\(line):\(column) \(what)" }
    }

    static let expectedErrors: [BrokenSampleError] = {
        guard let data = try? PackageRoot.bytes("samples/broken/EXPECTED.txt") else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            let text = line.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty, !text.hasPrefix("#") else { return nil }
            let location = text.prefix { $0 != " " }
            let parts = location.split(separator: ":")
            guard parts.count == 3, let lineNumber = Int(parts[1]), let column = Int(parts[2]) else { return nil }
            return BrokenSampleError(
                file: String(parts[0]), line: lineNumber, column: column,
                what: String(text.dropFirst(location.count)).trimmingCharacters(in: .whitespaces))
        }
    }()

    /// What `herald check --config samples/broken/herald.yaml` reads, run from the package root.
    static func brokenDiagnostics() throws -> [Diagnostic] {
        let configFile = "samples/broken/herald.yaml"
        let config = GatewayConfigDecoder(file: configFile, bytes: try PackageRoot.bytes(configFile))
        #expect(config.rulesFolder == "samples/broken/rules/")
        let names = try RuleCatalog.ruleFiles(in: PackageRoot.url.appending(path: "samples/broken/rules").path)
            .map { "samples/broken/rules/" + ($0 as NSString).lastPathComponent }
        let sources = try names.map { RuleCatalog.Source(name: $0, bytes: try PackageRoot.bytes($0)) }
        let catalog = RuleCatalog(sources: sources, endpoints: config.endpointNames)
        return config.log.diagnostics + catalog.diagnostics
    }

    @Test func expectedFileListsThirteenErrors() {
        #expect(Self.expectedErrors.count == 13)
    }

    @Test(arguments: expectedErrors)
    func brokenSampleErrorIsReportedAtItsPosition(_ expected: BrokenSampleError) throws {
        let diagnostics = try Self.brokenDiagnostics()
        let here = diagnostics.filter {
            $0.file == expected.file && $0.mark == SourceMark(line: expected.line, column: expected.column)
        }
        #expect(here.count == 1 && here.first?.severity == .error,
                "expected one error at \(expected.file):\(expected.line):\(expected.column) (\(expected.what)); reported:\n\(diagnostics.map(\.description).joined(separator: "\n"))")
    }

    @Test func brokenSamplesReportExactlyTheExpectedErrors() throws {
        let diagnostics = try Self.brokenDiagnostics()
        let reported = diagnostics.map { "\($0.file):\($0.mark.line):\($0.mark.column)" }.sorted()
        let expected = Self.expectedErrors.map { "\($0.file):\($0.line):\($0.column)" }.sorted()
        #expect(reported == expected)
        #expect(diagnostics.allSatisfy { $0.severity == .error }, "no warnings: \(diagnostics.filter { $0.severity == .warning })")
    }

    @Test func brokenSampleSecretIsNotPrinted() throws {
        let diagnostics = try Self.brokenDiagnostics()
        #expect(!diagnostics.contains { $0.description.contains("EAAGnotarealtoken") })
    }
}

// MARK: - Hostile files

@Suite("Rule catalog: hostile files")
struct RuleCatalogHostileTests {
    struct HostileCase: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        var limits: YAMLLimits
        var mark: SourceMark
        var message: String
        var testDescription: String { name }
    }

    static let cases: [HostileCase] = [
        // The mapping, key a, the list and its 10 items are 13 nodes; b and its list 15; each *a adds 11:
        // seven fit (92), the eighth (at column 36) would make 103.
        HostileCase(
            name: "alias bomb", bytes: Array(HostileYAML.aliasBomb.utf8), limits: YAMLLimits(maxNodes: 100),
            mark: SourceMark(line: 2, column: 36), message: "alias *a expands the document past 100 nodes"),
        HostileCase(
            name: "alias bomb with the default limits", bytes: Array(HostileYAML.aliasBomb.utf8), limits: .default,
            mark: SourceMark(line: 6, column: 8), message: "alias *e expands the document past 200000 nodes"),
        HostileCase(
            name: "deep nesting", bytes: Array("rules: [[[[[[x]]]]]]\n".utf8), limits: YAMLLimits(maxDepth: 5),
            mark: SourceMark(line: 1, column: 12), message: "nesting is deeper than 5 levels"),
        HostileCase(
            name: "deep block nesting with the default limits",
            bytes: Array((0..<70).map { String(repeating: " ", count: $0 * 2) + "k:\n" }.joined().utf8), limits: .default,
            mark: SourceMark(line: 65, column: 129), message: "nesting is deeper than 64 levels"),
        HostileCase(
            name: "bytes that are not UTF-8", bytes: Array("rules:\n  - id: caf".utf8) + [0xE9] + Array("\n".utf8),
            limits: .default, mark: SourceMark(line: 2, column: 12), message: "file is not valid UTF-8 (byte 0xE9)"),
        HostileCase(
            name: "a NUL byte", bytes: Array("rules:\n  - id: a".utf8) + [0x00], limits: .default,
            mark: SourceMark(line: 2, column: 10), message: "file contains a NUL byte"),
        HostileCase(
            name: "huge scalar", bytes: Array(("rules:\n  - id: " + String(repeating: "x", count: 40) + "\n").utf8),
            limits: YAMLLimits(maxScalarBytes: 16), mark: SourceMark(line: 2, column: 9),
            message: "value is 40 bytes long; the limit is 16"),
        HostileCase(
            name: "huge scalar with the default limits",
            bytes: Array(("templates:\n  t:\n    text: {en: \"" + String(repeating: "y", count: 70_000) + "\"}\n").utf8),
            limits: .default, mark: SourceMark(line: 3, column: 16), message: "value is 70000 bytes long; the limit is 65536"),
        HostileCase(
            // The good file (173 bytes) fits under the limit.
            name: "file too large", bytes: Array(("rules:\n" + String(repeating: "# padding\n", count: 20)).utf8),
            limits: YAMLLimits(maxBytes: 180), mark: SourceMark(line: 1, column: 1), message: "file is 207 bytes long; the limit is 180"),
    ]

    @Test(arguments: cases)
    func refusedWithOneErrorWhileOtherFilesAreChecked(_ test: HostileCase) throws {
        let catalog = RuleCatalog(
            sources: [
                RuleCatalog.Source(name: "hostile.yaml", bytes: test.bytes),
                RuleCatalog.Source(name: "good.yaml", bytes: Array((templateFile() + ruleFile()).utf8)),
            ],
            endpoints: ["sms"], limits: test.limits)
        let hostile = catalog.diagnostics.filter { $0.file == "hostile.yaml" }
        #expect(hostile.count == 1, "\(hostile)")
        let error = try #require(hostile.first)
        #expect(error.severity == .error)
        #expect(error.mark == test.mark)
        #expect(error.message.contains(test.message), "\(error.message)")
        #expect(!error.hint.isEmpty)
        // The good file is still decoded and checked.
        #expect(catalog.rules.map(\.id) == ["r"])
        #expect(!catalog.diagnostics.contains { $0.file == "good.yaml" && $0.severity == .error }, "\(catalog.diagnostics)")
    }
}
