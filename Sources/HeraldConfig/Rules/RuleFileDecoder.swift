import Foundation
import HeraldCore

/// A rule as read from a file, with where its parts are, for the cross-file checks.
/// `rule` is nil when the rule has errors of its own; the other fields are filled as far as they could be read.
public struct RuleDeclaration: Sendable {
    public var file: String
    public var id: String?
    public var idMark: SourceMark
    public var templateID: String?
    public var templateMark: SourceMark?
    public var channels: [(name: String, mark: SourceMark)]
    public var paramNames: [String: SourceMark]
    public var rule: Rule?
    /// `on_reply: {endpoint: NAME}`, with where the name is, for the endpoint cross-check.
    public var onReply: (name: String, mark: SourceMark)? = nil
}

/// A template as read from a file.
public struct TemplateDeclaration: Sendable {
    public var file: String
    public var id: String
    public var idMark: SourceMark
    public var template: Template?
    /// Where each translation's text starts.
    public var translationMarks: [String: SourceMark]
    /// Where each button keyword is, per button id, locale and normalized word (for the opt-out cross-check).
    public var keywordMarks: [KeywordMark] = []
}

/// A reply keyword of a template's button, with its place in the file.
public struct KeywordMark: Sendable, Hashable {
    public var buttonID: String
    public var locale: String
    public var word: String
    public var mark: SourceMark
}

/// Reads one rule file's YAML into rule and template declarations, reporting every problem it finds.
public struct RuleFileDecoder {
    public static let ruleKeys = ["id", "description", "enabled", "match", "for_each", "recipient", "channels", "template", "params",
                                  "category", "urgent", "expires", "dedupe", "on_reply", "respect_opt_out"]
    public static let templateKeys = ["description", "default_locale", "text", "buttons", "whatsapp", "sms_reply"]
    public static let recipientKeys = ["address", "locale", "timezone"]

    public internal(set) var log: DiagnosticLog
    public private(set) var rules: [RuleDeclaration] = []
    public private(set) var templates: [TemplateDeclaration] = []
    let sourceLines: [Substring]

    /// Decodes a file. `file` is the name used in diagnostics.
    public init(file: String, bytes: [UInt8], limits: YAMLLimits = .default) {
        log = DiagnosticLog(file: file)
        sourceLines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let root: YAMLNode?
        do {
            root = try YAMLParser.parse(bytes, limits: limits)
        } catch {
            log.error(error.mark, error.message, hint: error.hint)
            return
        }
        guard let root else {
            log.warning(SourceMark(line: 1, column: 1), "file is empty", hint: "add 'rules:' or 'templates:', or delete the file")
            return
        }
        root.reportDuplicateKeys(log: &log)
        guard root.mapping("a rule file", log: &log, hint: "start the file with 'rules:' and/or 'templates:'") != nil else { return }
        let top = MappingFields(root, allowed: ["rules", "templates"], context: "a rule file", log: &log)
        if top["rules"] == nil && top["templates"] == nil {
            log.warning(root.start, "file has neither 'rules:' nor 'templates:'", hint: "add 'rules:' or 'templates:', or delete the file")
        }
        if let node = top["templates"], node.scalarValue != .null {
            if let entries = node.mapping("'templates'", log: &log, hint: "write 'templates:' followed by 'TEMPLATE_ID:' entries") {
                for entry in entries { decodeTemplate(entry) }
            }
        }
        if let node = top["rules"], node.scalarValue != .null {
            if let items = node.sequence("'rules'", log: &log, hint: "write each rule as a list item starting with '- id: ...'") {
                for item in items { decodeRule(item) }
            }
        }
    }

    public var file: String { log.file }
    public var diagnostics: [Diagnostic] { log.diagnostics }

    // MARK: Templates

    private mutating func decodeTemplate(_ entry: YAMLEntry) {
        guard let id = entry.key.string("a template id", log: &log) else { return }
        if !RuleFileDecoder.isValidID(id) {
            log.error(entry.key.start, "template id '\(id)' has characters other than letters, digits, '.', '_' and '-'",
                      hint: "rename it, e.g. '\(RuleFileDecoder.suggestedID(id))'")
        }
        var declaration = TemplateDeclaration(file: file, id: id, idMark: entry.key.start, template: nil, translationMarks: [:])
        defer { templates.append(declaration) }
        let context = "template '\(id)'"
        guard entry.value.mapping(context, log: &log, hint: "give it 'default_locale:' and 'text:'") != nil else { return }
        let fields = MappingFields(entry.value, allowed: RuleFileDecoder.templateKeys, required: ["default_locale", "text"],
                                   context: context, log: &log)
        let errorsBefore = log.diagnostics.count
        let description = fields["description"].flatMap { $0.string("'description' of \(context)", log: &log) }
        var defaultLocale: String?
        if let node = fields["default_locale"], let locale = node.string("'default_locale' of \(context)", log: &log, hint: "write a BCP 47 locale such as 'en'") {
            defaultLocale = checkLocale(locale, node: node)
        }
        var translations: [Template.Translation] = []
        if let node = fields["text"],
           let entries = node.mapping("'text' of \(context)", log: &log, hint: "write one 'LOCALE: \"message\"' line per language") {
            if entries.isEmpty {
                log.error(node.start, "\(context) has no text", hint: "add at least the default locale, e.g. 'en: \"...\"'")
            }
            var spellings = Set<String>()
            for text in entries {
                guard let locale = text.key.string("a locale", log: &log),
                      let canonical = checkLocale(locale, node: text.key),
                      let source = text.value.string("text '\(locale)' of \(context)", log: &log, hint: "write the message as a quoted string")
                else { continue }
                if declaration.translationMarks[canonical] != nil {
                    // The very same spelling twice is a duplicate YAML key, reported as such.
                    guard !spellings.contains(locale) else { continue }
                    log.error(text.key.start, "locale '\(locale)' of \(context) is given twice (as '\(canonical)')",
                              hint: "keep one text per locale; locale names ignore case and '_' vs '-'")
                    continue
                }
                spellings.insert(locale)
                declaration.translationMarks[canonical] = text.value.start
                do {
                    let message = try MessageFormat(parsing: source)
                    translations.append(Template.Translation(locale: canonical, source: source, message: message))
                } catch {
                    log.error(text.value.mark(ofCharacter: error.offset, sourceLines: sourceLines),
                              "text '\(locale)' of \(context): \(error.message)", hint: error.hint)
                }
            }
        }
        if let defaultLocale, let node = fields["default_locale"], !declaration.translationMarks.isEmpty,
           !declaration.translationMarks.keys.contains(defaultLocale) {
            log.error(node.start, "default locale '\(defaultLocale)' of \(context) has no text",
                      hint: "add '\(defaultLocale): \"...\"' under 'text:' or pick one of \(declaration.translationMarks.keys.sorted().joined(separator: ", "))")
        }
        let whatsapp = fields["whatsapp"].flatMap { decodeWhatsAppTemplate($0, context: context, textLocales: declaration.translationMarks) }
        var buttons = fields["buttons"].map {
            decodeButtons($0, context: context, defaultLocale: defaultLocale, textLocales: declaration.translationMarks,
                          limit: whatsapp == nil ? Self.interactiveButtonLimit : Self.templateButtonLimit)
        } ?? []
        if !buttons.isEmpty, whatsapp == nil, fields["whatsapp"] == nil {
            checkInteractiveBodies(translations, marks: declaration.translationMarks, context: context)
        }
        let replies = decodeReplies(buttonsNode: fields["buttons"], smsReplyNode: fields["sms_reply"], smsReplyKey: fields.keyNode("sms_reply"),
                                    buttons: &buttons, context: context, defaultLocale: defaultLocale, textLocales: declaration.translationMarks)
        declaration.keywordMarks = replies.keywordMarks
        guard log.diagnostics[errorsBefore...].allSatisfy({ $0.severity == .warning }), let defaultLocale else { return }
        declaration.template = Template(id: id, description: description, defaultLocale: defaultLocale, translations: translations,
                                        buttons: buttons, whatsapp: whatsapp, smsReply: replies.smsReply)
    }

    /// A BCP 47-looking tag, returned in canonical case (`pt_br` → `pt-BR`).
    mutating func checkLocale(_ tag: String, node: YAMLNode, what: String? = nil) -> String? {
        guard let canonical = Self.canonicalLocale(tag) else {
            log.error(node.start, (what.map { "\($0): " } ?? "") + "'\(tag)' is not a BCP 47 locale", hint: "write a language code with optional region, e.g. 'en', 'pt-BR', 'hi'")
            return nil
        }
        return canonical
    }

    /// A BCP 47-looking tag in canonical case, or nil when it is not one.
    static func canonicalLocale(_ tag: String) -> String? {
        let subtags = tag.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "-" || $0 == "_" })
        let valid = !subtags.isEmpty
            && (2...3).contains(subtags[0].count) && subtags[0].allSatisfy({ $0.isASCII && $0.isLetter })
            && subtags.dropFirst().allSatisfy({ (1...8).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } })
        return valid ? LocaleNegotiation.canonical(tag) : nil
    }

    // MARK: Rules

    private mutating func decodeRule(_ node: YAMLNode) {
        guard node.mapping("a rule", log: &log, hint: "each rule is a mapping starting with 'id:'") != nil else { return }
        let idNode = MappingFields.peek(node, "id")
        let id = idNode.flatMap { $0.scalarValue?.stringValue }
        let context = id.map { "rule '\($0)'" } ?? "rule at line \(node.start.line)"
        let fields = MappingFields(node, allowed: RuleFileDecoder.ruleKeys, required: ["id", "match", "recipient", "channels", "template"],
                                   context: context, log: &log)
        let errorsBefore = log.diagnostics.count
        var declaration = RuleDeclaration(file: file, id: nil, idMark: node.start, templateID: nil, templateMark: nil,
                                          channels: [], paramNames: [:], rule: nil)
        defer { rules.append(declaration) }

        if let idNode = fields["id"], let id = idNode.string("'id' of a rule", log: &log) {
            declaration.id = id
            declaration.idMark = idNode.start
            if id.isEmpty {
                log.error(idNode.start, "rule id is empty", hint: "name the rule, e.g. 'id: card-fraud-check'")
            } else if !RuleFileDecoder.isValidID(id) {
                log.error(idNode.start, "rule id '\(id)' has characters other than letters, digits, '.', '_' and '-'",
                          hint: "rename it, e.g. '\(RuleFileDecoder.suggestedID(id))'")
            }
        }
        let description = fields["description"].flatMap { $0.string("'description' of \(context)", log: &log) }
        var enabled = true
        if let node = fields["enabled"] {
            if case .bool(let value)? = node.scalarValue { enabled = value } else {
                log.error(node.start, "'enabled' of \(context) must be true or false, not \(node.typeDescription)", hint: "write 'enabled: false' to switch the rule off")
            }
        }
        var pattern: EventPattern?
        if let node = fields["match"] { pattern = decodePattern(node, context: context) }

        var forEach: ValuePath?
        if let node = fields["for_each"], let text = node.string("'for_each' of \(context)", log: &log, hint: "write a path to an array, e.g. $.data.passengers") {
            if let path = decodePath(text, node: node, what: "'for_each' of \(context)") {
                if path.root == .element {
                    log.error(node.start, "'for_each' of \(context) must start at the event ($), not at '@'", hint: "write e.g. $.data.passengers")
                } else {
                    forEach = path
                }
            }
        }
        let hasForEach = fields["for_each"] != nil

        var recipient: Recipient?
        if let node = fields["recipient"],
           node.mapping("'recipient' of \(context)", log: &log, hint: "give it 'address:' and optionally 'locale:' and 'timezone:'") != nil {
            let recipientFields = MappingFields(node, allowed: RuleFileDecoder.recipientKeys, required: ["address"],
                                                context: "'recipient' of \(context)", log: &log)
            let address = recipientFields["address"].flatMap { decodeSource($0, what: "recipient 'address' of \(context)", hasForEach: hasForEach, literalTypes: .string) }
            let locale = recipientFields["locale"].flatMap { decodeSource($0, what: "recipient 'locale' of \(context)", hasForEach: hasForEach, literalTypes: .locale) }
            let timezone = recipientFields["timezone"].flatMap { decodeSource($0, what: "recipient 'timezone' of \(context)", hasForEach: hasForEach, literalTypes: .timezone) }
            if let address { recipient = Recipient(address: address, locale: locale, timezone: timezone) }
        }

        var channels: [String] = []
        if let node = fields["channels"] {
            if case .scalar(let scalar) = node.kind, case .string(let name) = scalar.value {
                log.error(node.start, "'channels' of \(context) must be a list, not a string", hint: "write 'channels: [\(name)]'")
            } else if let items = node.sequence("'channels' of \(context)", log: &log, hint: "write e.g. 'channels: [whatsapp, sms]'") {
                if items.isEmpty { log.error(node.start, "\(context) has no channels", hint: "list at least one endpoint from herald.yaml, e.g. [whatsapp]") }
                for item in items {
                    guard let name = item.string("a channel of \(context)", log: &log, hint: "write the endpoint's name from herald.yaml") else { continue }
                    if channels.contains(name) {
                        log.error(item.start, "channel '\(name)' is listed twice in \(context)", hint: "remove the second '\(name)'")
                        continue
                    }
                    channels.append(name)
                    declaration.channels.append((name, item.start))
                }
            }
        }

        if let node = fields["template"], let templateID = node.string("'template' of \(context)", log: &log, hint: "write a template id from a 'templates:' section") {
            declaration.templateID = templateID
            declaration.templateMark = node.start
        }

        var params: [Param] = []
        if let node = fields["params"], node.scalarValue != .null,
           let entries = node.mapping("'params' of \(context)", log: &log, hint: "write one 'NAME: $.path' line per template argument") {
            for entry in entries {
                guard let name = entry.key.string("a param name", log: &log) else { continue }
                guard name.first.map({ $0.isLetter || $0 == "_" }) == true, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                    log.error(entry.key.start, "param name '\(name)' is not a valid template argument name", hint: "use letters, digits and '_', starting with a letter")
                    continue
                }
                declaration.paramNames[name] = entry.key.start
                if let source = decodeParam(entry.value, name: name, context: context, hasForEach: hasForEach) {
                    params.append(Param(name: name, source: source))
                }
            }
        }

        let protection = decodeProtection(fields, context: context, hasForEach: hasForEach)
        declaration.onReply = protection.onReply

        guard log.diagnostics[errorsBefore...].allSatisfy({ $0.severity == .warning }),
              let id = declaration.id, let pattern, let recipient, let templateID = declaration.templateID, !channels.isEmpty
        else { return }
        declaration.rule = Rule(id: id, description: description, enabled: enabled, pattern: pattern, forEach: forEach,
                                recipient: recipient, channels: channels, templateID: templateID, params: params,
                                category: protection.category, urgent: protection.urgent, expires: protection.expires,
                                dedupe: protection.dedupe, onReply: protection.onReply?.name, respectOptOut: protection.respectOptOut)
    }

    private mutating func decodePattern(_ node: YAMLNode, context: String) -> EventPattern? {
        guard node.isMapping else {
            log.error(node.start, "'match' of \(context) must be an event pattern (a mapping), not \(node.typeDescription)",
                      hint: "write e.g. 'match: {type: [bank.card.transaction.flagged]}'")
            return nil
        }
        let json = node.toJSON()
        let problems = EventPattern.validate(json: json)
        for problem in problems {
            // An unknown operator is its key's fault; anything else, the value's.
            let target = problem.subject == .key ? node.keyNode(at: problem.pointer) : node.node(at: problem.pointer)
            let mark = target?.start ?? node.closestNode(at: problem.pointer).start
            let where_ = problem.pointer.components.isEmpty ? "" : " at \(problem.pointer)"
            log.error(mark, "invalid event pattern in \(context)\(where_): \(problem.message)", hint: problem.hint)
        }
        guard problems.isEmpty else { return nil }
        do {
            return try EventPattern(json: json)
        } catch {
            log.error(node.start, "invalid event pattern in \(context): \(error.message)", hint: error.hint)
            return nil
        }
    }

    mutating func decodePath(_ text: String, node: YAMLNode, what: String) -> ValuePath? {
        do {
            return try ValuePath(parsing: text)
        } catch {
            log.error(node.mark(ofCharacter: error.offset, sourceLines: sourceLines), "\(what): bad path '\(text)': \(error.message)", hint: error.hint)
            return nil
        }
    }

    enum LiteralKind { case string, locale, timezone, currency, any }

    /// A path (`$.`/`@.`) or a literal.
    mutating func decodeSource(_ node: YAMLNode, what: String, hasForEach: Bool, literalTypes: LiteralKind) -> ValueSource? {
        guard case .scalar(let scalar) = node.kind else {
            log.error(node.start, "\(what) must be a path like $.data.x or a literal, not \(node.typeDescription)", hint: "write e.g. $.data.customer.phone")
            return nil
        }
        if case .string(let text) = scalar.value, ValuePath.looksLikePath(text) {
            guard let path = decodePath(text, node: node, what: what) else { return nil }
            if path.root == .element && !hasForEach {
                log.error(node.start, "\(what) uses '@', which needs 'for_each'", hint: "add 'for_each: $.path.to.array' to the rule, or start the path with '$'")
                return nil
            }
            return .path(path)
        }
        switch (literalTypes, scalar.value) {
        case (.any, .string), (.any, .number), (.any, .bool):
            return .literal(scalar.value)
        case (.string, .string), (.string, .number):
            let text = scalar.text
            if text.hasPrefix("$") || text.hasPrefix("@") {
                log.warning(node.start, "\(what) '\(text)' is taken as a literal", hint: "paths start with '$.' or '@.'; write e.g. $.data.phone")
            }
            return .literal(.string(text))
        case (.locale, .string(let text)):
            return checkLocale(text, node: node, what: what).map { .literal(.string($0)) }
        case (.timezone, .string(let text)):
            guard RuleFileDecoder.isIANAZone(text) else {
                let suggestion = Suggestion.closest(to: text, among: RuleFileDecoder.zoneNames)
                log.error(node.start, "\(what): unknown time zone '\(text)'",
                          hint: suggestion.map { "did you mean '\($0)'?" } ?? "write an IANA zone such as 'Asia/Kolkata' or 'America/Sao_Paulo'")
                return nil
            }
            return .literal(.string(text))
        case (.currency, .string(let text)):
            guard RuleFileDecoder.currencyCodes.contains(text) else {
                let suggestion = Suggestion.closest(to: text.uppercased(), among: RuleFileDecoder.currencyCodes)
                log.error(node.start, "\(what): '\(text)' is not an ISO 4217 currency code",
                          hint: suggestion.map { "did you mean '\($0)'?" } ?? "write a three-letter code such as INR, BRL, IDR or a path such as $.data.currency")
                return nil
            }
            return .literal(.string(text))
        default:
            log.error(node.start, "\(what) must be a path or a string, not \(node.typeDescription)", hint: "write e.g. $.data.value")
            return nil
        }
    }

    private mutating func decodeParam(_ node: YAMLNode, name: String, context: String, hasForEach: Bool) -> Param.Source? {
        let what = "param '\(name)' of \(context)"
        switch node.kind {
        case .scalar:
            return decodeSource(node, what: what, hasForEach: hasForEach, literalTypes: .any).map { .value($0) }
        case .sequence:
            log.error(node.start, "\(what) must be a path, a literal or one of {money: …}, {datetime: …}, {number: …}, not a list",
                      hint: "write e.g. '\(name): $.data.\(name)'")
            return nil
        case .mapping(let entries):
            let kinds = ["money", "datetime", "number"]
            let present = entries.compactMap { entry -> String? in
                guard case .scalar(let key) = entry.key.kind, kinds.contains(key.text) else { return nil }
                return key.text
            }
            guard present.count == 1, let kind = present.first else {
                log.error(node.start, present.isEmpty ? "\(what) names no param type" : "\(what) names more than one param type (\(present.joined(separator: ", ")))",
                          hint: "write exactly one of {money: PATH, currency: CODE}, {datetime: PATH, timezone: ZONE}, {number: PATH}")
                // Still report unknown keys.
                _ = MappingFields(node, allowed: kinds + ["currency", "timezone"], context: what, log: &log)
                return nil
            }
            switch kind {
            case "money":
                let fields = MappingFields(node, allowed: ["money", "currency"], required: ["currency"], context: what, log: &log)
                guard let amountNode = fields["money"], let currencyNode = fields["currency"] else { return nil }
                let amount = decodePathOnly(amountNode, what: "amount of \(what)", hasForEach: hasForEach)
                let currency = decodeSource(currencyNode, what: "currency of \(what)", hasForEach: hasForEach, literalTypes: .currency)
                guard let amount, let currency else { return nil }
                return .money(amount: amount, currency: currency)
            case "datetime":
                let fields = MappingFields(node, allowed: ["datetime", "timezone"], context: what, log: &log)
                guard let valueNode = fields["datetime"] else { return nil }
                let value = decodePathOnly(valueNode, what: "datetime of \(what)", hasForEach: hasForEach)
                var zone: ValueSource?
                if let zoneNode = fields["timezone"] {
                    guard let decoded = decodeSource(zoneNode, what: "timezone of \(what)", hasForEach: hasForEach, literalTypes: .timezone) else { return nil }
                    zone = decoded
                }
                return value.map { .datetime($0, timezone: zone) }
            default:
                let fields = MappingFields(node, allowed: ["number"], context: what, log: &log)
                guard let valueNode = fields["number"] else { return nil }
                return decodePathOnly(valueNode, what: "number of \(what)", hasForEach: hasForEach).map { .number($0) }
            }
        }
    }

    /// Money amounts, datetimes and numbers come from the event: always a path.
    private mutating func decodePathOnly(_ node: YAMLNode, what: String, hasForEach: Bool) -> ValueSource? {
        guard case .string(let text)? = node.scalarValue, ValuePath.looksLikePath(text) else {
            let example = what.hasPrefix("datetime") ? "$.data.departure_time" : what.hasPrefix("number") ? "$.data.count" : "$.data.amount"
            log.error(node.start, "\(what) must be a path into the event, not \(node.typeDescription)", hint: "write e.g. \(example)")
            return nil
        }
        return decodeSource(node, what: what, hasForEach: hasForEach, literalTypes: .any)
    }

    // MARK: Names

    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") }
    }

    static func suggestedID(_ id: String) -> String {
        let mapped = id.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_") ? $0 : "-" }
        return String(mapped)
    }

    static let currencyCodes: [String] = Locale.commonISOCurrencyCodes

    /// An IANA zone name such as `Asia/Kolkata`, or `UTC`. Foundation also accepts abbreviations
    /// (`IST`, `EST`), which are ambiguous — India or Israel — so they are refused.
    static func isIANAZone(_ name: String) -> Bool {
        guard name.contains("/") || name == "UTC" || name == "GMT" else { return false }
        return TimeZone(identifier: name) != nil
    }

    /// Zone names for "did you mean": Foundation's list plus the current names it lists under older ones.
    static let zoneNames: [String] = TimeZone.knownTimeZoneIdentifiers + [
        "Asia/Kolkata", "Asia/Kathmandu", "Asia/Yangon", "Asia/Ho_Chi_Minh", "Europe/Kyiv",
        "America/Argentina/Buenos_Aires", "Atlantic/Faroe", "Pacific/Chuuk", "Pacific/Pohnpei", "UTC",
    ]
}

extension MappingFields {
    /// A key's value without reporting anything (to name a rule in messages before its fields are checked).
    static func peek(_ node: YAMLNode, _ key: String) -> YAMLNode? {
        guard case .mapping(let entries) = node.kind else { return nil }
        return entries.last { if case .scalar(let s) = $0.key.kind { return s.text == key } else { return false } }?.value
    }
}
