import Foundation
import HeraldCore

/// Every rule file of a folder, decoded and checked together: ids unique across files, templates
/// and endpoints that exist, params the templates need. Built from bytes (pure); `GatewayLoad` reads the folder.
public struct RuleCatalog: Sendable {
    public struct Source: Sendable {
        public var name: String
        public var bytes: [UInt8]
        public init(name: String, bytes: [UInt8]) {
            self.name = name
            self.bytes = bytes
        }
    }

    public private(set) var diagnostics: [Diagnostic] = []
    public private(set) var files: [String] = []
    public private(set) var rules: [RuleDeclaration] = []
    public private(set) var templates: [TemplateDeclaration] = []

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// The compiled rule set, when there are no errors.
    public var ruleSet: RuleSet? {
        guard !hasErrors else { return nil }
        let compiled = rules.compactMap(\.rule)
        let templateMap = Dictionary(templates.compactMap { declaration in declaration.template.map { (declaration.id, $0) } },
                                     uniquingKeysWith: { first, _ in first })
        return RuleSet(rules: compiled, templates: templateMap)
    }

    /// Decodes and cross-checks rule files.
    /// - Parameters:
    ///   - endpoints: the endpoint names from herald.yaml, or nil to skip that check.
    ///   - endpointKinds: the kind of each endpoint (`GatewayConfigDecoder.endpointKinds`), to warn
    ///     about an `on_reply` endpoint that is not a webhook; empty skips that warning.
    ///   - optOutKeywords: herald.yaml's opt-out words (`GatewayConfig.protection.optOutKeywords`),
    ///     to warn about a reply keyword that would opt the customer out instead; nil skips it.
    public init(sources: [Source], endpoints: Set<String>?, endpointKinds: [String: Endpoint.Kind] = [:],
                optOutKeywords: OptOutKeywords? = nil, limits: YAMLLimits = .default) {
        for source in sources {
            let decoder = RuleFileDecoder(file: source.name, bytes: source.bytes, limits: limits)
            files.append(source.name)
            diagnostics += decoder.diagnostics
            rules += decoder.rules
            templates += decoder.templates
        }
        crossCheck(endpoints: endpoints)
        checkReplies(endpoints: endpoints, endpointKinds: endpointKinds, optOutKeywords: optOutKeywords)
        diagnostics.sort(by: Diagnostic.ordered)
    }

    mutating func report(_ severity: Diagnostic.Severity, _ file: String, _ mark: SourceMark, _ message: String, hint: String) {
        diagnostics.append(Diagnostic(severity, file: file, mark: mark, message: message, hint: hint))
    }

    private mutating func crossCheck(endpoints: Set<String>?) {
        var firstTemplate: [String: TemplateDeclaration] = [:]
        for template in templates {
            if let first = firstTemplate[template.id] {
                // Twice in one file is a duplicate YAML key, reported as such.
                guard first.file != template.file else { continue }
                report(.error, template.file, template.idMark, "duplicate template id '\(template.id)'",
                       hint: "rename one; it is first defined at \(first.file):\(first.idMark)")
            } else {
                firstTemplate[template.id] = template
            }
        }
        var firstRule: [String: RuleDeclaration] = [:]
        for rule in rules {
            guard let id = rule.id else { continue }
            if let first = firstRule[id] {
                report(.error, rule.file, rule.idMark, "duplicate rule id '\(id)'", hint: "rename one; it is first defined at \(first.file):\(first.idMark)")
            } else {
                firstRule[id] = rule
            }
        }
        let endpointNames = endpoints.map { $0.sorted() } ?? []
        var usedTemplates = Set<String>()
        for rule in rules {
            let context = rule.id.map { "rule '\($0)'" } ?? "rule"
            if let endpoints {
                for channel in rule.channels where !endpoints.contains(channel.name) {
                    report(.error, rule.file, channel.mark, "\(context) sends to unknown endpoint '\(channel.name)'",
                           hint: Suggestion.closest(to: channel.name, among: endpointNames).map { "did you mean '\($0)'?" }
                               ?? "define it under 'endpoints:' in herald.yaml (known: \(endpointNames.joined(separator: ", ")))")
                }
            }
            guard let templateID = rule.templateID, let mark = rule.templateMark else { continue }
            usedTemplates.insert(templateID)
            guard let template = firstTemplate[templateID] else {
                report(.error, rule.file, mark, "\(context) uses unknown template '\(templateID)'",
                       hint: Suggestion.closest(to: templateID, among: firstTemplate.keys.sorted()).map { "did you mean '\($0)'?" }
                           ?? "define it under 'templates:' in a rule file")
                continue
            }
            guard let compiled = template.template else { continue }
            // Every argument a translation uses must be a param the rule gives.
            var reported = Set<String>()
            for translation in compiled.translations {
                for name in translation.message.argumentNames.sorted() where rule.paramNames[name] == nil && reported.insert(name).inserted {
                    report(.error, rule.file, mark,
                           "template '\(templateID)' (\(translation.locale)) uses {\(name)}, which \(context) does not give",
                           hint: "add '\(name): $.data.\(name)' under 'params:' of the rule")
                }
            }
            checkArgumentTypes(rule: rule, template: compiled, context: context)
            // The WhatsApp template's body parameters are rule params too.
            for name in compiled.whatsapp?.body ?? [] where rule.paramNames[name] == nil && reported.insert(name).inserted {
                report(.error, rule.file, mark,
                       "template '\(templateID)' fills its WhatsApp template's body with '\(name)', which \(context) does not give",
                       hint: "add '\(name): $.data.\(name)' under 'params:' of the rule, or remove it from 'whatsapp: body:'")
            }
            let used = compiled.argumentNames.union(compiled.whatsapp?.body ?? [])
            for (name, mark) in rule.paramNames.sorted(by: { $0.value < $1.value }) where !used.contains(name) {
                report(.warning, rule.file, mark, "param '\(name)' of \(context) is not used by template '\(templateID)'",
                       hint: "remove it, or use {\(name)} in the template's text")
            }
        }
        let uniqueTemplates = templates.filter { template in
            firstTemplate[template.id].map { $0.file == template.file && $0.idMark == template.idMark } == true
        }
        checkLocaleCoverage(uniqueTemplates)
        for template in uniqueTemplates { checkPluralCategories(template) }
        // A rule whose 'template:' could not be read may be the user; stay quiet then.
        let everyRuleNamesATemplate = rules.allSatisfy { $0.templateID != nil }
        for template in templates where everyRuleNamesATemplate && firstTemplate[template.id].map({ $0.file == template.file && $0.idMark == template.idMark }) == true && !usedTemplates.contains(template.id) {
            report(.warning, template.file, template.idMark, "template '\(template.id)' is not used by any rule",
                   hint: "remove it, or name it in a rule's 'template:'")
        }
    }

    // MARK: Summary


    public var locales: [String] {
        Set(templates.flatMap { $0.translationMarks.keys }).sorted()
    }

    /// `rules/: 2 files, 3 rules, 2 templates (locales: en, hi, pt-BR)`
    public func summary(folder: String) -> String {
        func count(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        let locales = locales
        return "\(folder): \(count(files.count, "file")), \(count(rules.count, "rule")), \(count(templates.count, "template"))"
            + (locales.isEmpty ? "" : " (locales: \(locales.joined(separator: ", ")))")
    }

    // MARK: Files

    /// The rule files of a folder: every `*.yaml`/`*.yml` directly in it, in name order, hidden files skipped.
    public static func ruleFiles(in folder: String) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
        return names.filter { !$0.hasPrefix(".") && ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) }
            .sorted()
            .map { (folder as NSString).appendingPathComponent($0) }
    }

    /// Reads files from disk; unreadable or over-large files become diagnostics.
    public static func readSources(_ paths: [String], limits: YAMLLimits = .default) -> (sources: [Source], diagnostics: [Diagnostic]) {
        var sources: [Source] = []
        var diagnostics: [Diagnostic] = []
        for path in paths {
            let start = SourceMark(line: 1, column: 1)
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  let size = attributes[.size] as? NSNumber else {
                diagnostics.append(Diagnostic(.error, file: path, mark: start, message: "cannot read the file", hint: "check that it exists and is readable"))
                continue
            }
            guard size.intValue <= limits.maxBytes else {
                diagnostics.append(Diagnostic(.error, file: path, mark: start,
                    message: "file is \(size.intValue) bytes, over the \(limits.maxBytes)-byte limit for a rule file",
                    hint: "split it into several files"))
                continue
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                diagnostics.append(Diagnostic(.error, file: path, mark: start, message: "cannot read the file", hint: "check that it is readable"))
                continue
            }
            sources.append(Source(name: path, bytes: [UInt8](data)))
        }
        return (sources, diagnostics)
    }
}
