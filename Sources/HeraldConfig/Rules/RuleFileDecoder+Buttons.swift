import HeraldCore

/// A template's reply buttons and its WhatsApp (Meta) template, checked against WhatsApp's limits so
/// that `herald check` refuses what Meta would refuse at send time.
extension RuleFileDecoder {
    public static let buttonKeys = ["id", "text", "keywords"]
    public static let whatsAppTemplateKeys = ["template", "languages", "body"]
    /// WhatsApp shows at most 3 reply buttons on an interactive message…
    public static let interactiveButtonLimit = 3
    /// …and at most 10 quick-reply buttons on a template.
    public static let templateButtonLimit = 10
    /// WhatsApp's limit on a button title, in characters (counted as `TextLength` counts).
    public static let buttonTitleLimit = 20
    /// Button ids travel in every reply, with the delivery id: short ones leave room for it.
    public static let buttonIDLimit = 64

    mutating func decodeButtons(_ node: YAMLNode, context: String, defaultLocale: String?, textLocales: [String: SourceMark],
                                limit: Int) -> [Template.Button] {
        guard let items = node.sequence("'buttons' of \(context)", log: &log,
                                        hint: "write each button as '- {id: confirm, text: {en: \"Yes, it was me\"}}'") else { return [] }
        if items.isEmpty {
            log.error(node.start, "'buttons' of \(context) is empty", hint: "add a button or remove 'buttons:'")
        }
        if items.count > limit {
            let why = limit == Self.interactiveButtonLimit
                ? "WhatsApp shows at most \(limit) reply buttons on a message"
                : "a WhatsApp template has at most \(limit) quick-reply buttons"
            log.error(items[limit].start, "\(context) has \(items.count) buttons; \(why)",
                      hint: "keep \(limit) buttons, or ask the question in the text and let customers reply in words")
        }
        var buttons: [Template.Button] = []
        var ids = Set<String>()
        // Titles already used, per locale: WhatsApp refuses two buttons with the same title.
        var titlesSeen: [String: Set<String>] = [:]
        for item in items {
            guard item.mapping("a button of \(context)", log: &log, hint: "write '- {id: confirm, text: {en: \"Yes\"}}'") != nil else { continue }
            let fields = MappingFields(item, allowed: Self.buttonKeys, required: ["id", "text"], context: "a button of \(context)", log: &log)
            var buttonID: String?
            if let idNode = fields["id"], let id = idNode.string("'id' of a button of \(context)", log: &log, hint: "write e.g. 'id: confirm'") {
                if id.isEmpty || !RuleFileDecoder.isValidID(id) {
                    log.error(idNode.start, "button id '\(id)' of \(context) must be letters, digits, '.', '_' and '-'",
                              hint: "rename it, e.g. '\(RuleFileDecoder.suggestedID(id.isEmpty ? "confirm" : id))'")
                } else if id.utf8.count > Self.buttonIDLimit {
                    log.error(idNode.start, "button id '\(id.prefix(20))…' of \(context) is \(id.utf8.count) characters long, over \(Self.buttonIDLimit)",
                              hint: "use a short id such as 'confirm' or 'block'; the customer never sees it")
                } else if !ids.insert(id).inserted {
                    log.error(idNode.start, "button id '\(id)' is used twice in \(context)", hint: "give each button its own id")
                } else {
                    buttonID = id
                }
            }
            let label = buttonID.map { "button '\($0)' of \(context)" } ?? "a button of \(context)"
            var titles: [(locale: String, title: String)] = []
            let titleErrorsBefore = log.diagnostics.count
            if let textNode = fields["text"],
               let entries = textNode.mapping("'text' of \(label)", log: &log, hint: "write one 'LOCALE: \"title\"' per language, e.g. {en: \"Yes\", pt-BR: \"Sim\"}") {
                for entry in entries {
                    guard let tag = entry.key.string("a locale", log: &log),
                          let locale = checkLocale(tag, node: entry.key),
                          let title = entry.value.string("title '\(tag)' of \(label)", log: &log, hint: "write the title as a quoted string")
                    else { continue }
                    let trimmed = title.trimmingWhitespace
                    let length = TextLength.characters(title)
                    if trimmed.isEmpty {
                        log.error(entry.value.start, "title '\(tag)' of \(label) is empty", hint: "write the words the customer taps, e.g. \"Yes\"")
                        continue
                    }
                    if trimmed != title {
                        log.error(entry.value.start, "title '\(tag)' of \(label) starts or ends with spaces", hint: "write \"\(trimmed)\"")
                        continue
                    }
                    if length > Self.buttonTitleLimit {
                        log.error(entry.value.start, "title '\(tag)' of \(label) is \(length) characters long; WhatsApp allows \(Self.buttonTitleLimit)",
                                  hint: "shorten it to \(Self.buttonTitleLimit) characters or fewer (emoji count 2)")
                        continue
                    }
                    if textLocales[locale] == nil, !textLocales.isEmpty {
                        log.warning(entry.key.start, "\(label) has a title for '\(locale)', but the template has no text in '\(locale)'",
                                    hint: "add '\(locale): \"…\"' under the template's 'text:', or remove this title")
                    }
                    if !titlesSeen[locale, default: []].insert(title).inserted {
                        log.error(entry.value.start, "title '\(tag)' \"\(title)\" of \(label) is also another button's title",
                                  hint: "give each button a different title; WhatsApp refuses two alike")
                        continue
                    }
                    titles.append((locale, title))
                }
                if entries.isEmpty {
                    log.error(textNode.start, "\(label) has no title", hint: "write one 'LOCALE: \"title\"' per language, e.g. {en: \"Yes\"}")
                } else if log.diagnostics[titleErrorsBefore...].allSatisfy({ $0.severity == .warning }), let defaultLocale {
                    checkTitleCoverage(titles, label: label, mark: textNode.start, defaultLocale: defaultLocale, textLocales: textLocales)
                }
            }
            if let buttonID, !titles.isEmpty { buttons.append(Template.Button(id: buttonID, titles: titles)) }
        }
        return buttons
    }

    /// Every button needs a title in the default locale; a text locale without its own title (or a
    /// parent's) gets the default one, under a text in another language: worth a warning.
    private mutating func checkTitleCoverage(_ titles: [(locale: String, title: String)], label: String, mark: SourceMark,
                                             defaultLocale: String, textLocales: [String: SourceMark]) {
        let titled = titles.map(\.locale)
        guard titled.contains(defaultLocale) else {
            log.error(mark, "\(label) has no title in the default locale '\(defaultLocale)'",
                      hint: "add '\(defaultLocale): \"…\"': it is shown to customers whose locale has no title")
            return
        }
        let missing = textLocales.keys.filter { locale in
            locale != defaultLocale && LocaleNegotiation.choose(requested: locale, available: titled, defaultLocale: defaultLocale).fallback?.hasSuffix("(default)") == true
        }.sorted()
        guard !missing.isEmpty else { return }
        log.warning(mark, "\(label) has no title for \(missing.joined(separator: ", ")), which the template's text has",
                    hint: "add \(missing.map { "'\($0): \"…\"'" }.joined(separator: ", ")), or those customers see the '\(defaultLocale)' title under a text in their language")
    }

    mutating func decodeWhatsAppTemplate(_ node: YAMLNode, context: String, textLocales: [String: SourceMark]) -> Template.WhatsAppTemplate? {
        let what = "'whatsapp' of \(context)"
        guard node.mapping(what, log: &log, hint: "write 'whatsapp: {template: NAME_IN_WHATSAPP_MANAGER, body: [param, …]}'") != nil else { return nil }
        let fields = MappingFields(node, allowed: Self.whatsAppTemplateKeys, required: ["template"], context: what, log: &log)
        let errorsBefore = log.diagnostics.count
        var name: String?
        if let nameNode = fields["template"], let text = nameNode.string("'template' of \(what)", log: &log, hint: "write the template's name as WhatsApp Manager shows it") {
            if Self.isMetaTemplateName(text) {
                name = text
            } else {
                log.error(nameNode.start, "'\(text)' is not a WhatsApp template name",
                          hint: "WhatsApp template names are lowercase letters, digits and '_' (up to 512), e.g. '\(Self.metaTemplateName(suggestedFor: text))'")
            }
        }
        var languages: [String: String] = [:]
        if let languagesNode = fields["languages"],
           let entries = languagesNode.mapping("'languages' of \(what)", log: &log, hint: "map each text locale to Meta's code, e.g. {en: en_US, pt-BR: pt_BR}") {
            for entry in entries {
                guard let tag = entry.key.string("a locale", log: &log),
                      let locale = checkLocale(tag, node: entry.key),
                      let code = entry.value.string("language of '\(tag)' in \(what)", log: &log, hint: "write Meta's language code, e.g. en_US")
                else { continue }
                guard Self.isMetaLanguageCode(code) else {
                    log.error(entry.value.start, "'\(code)' is not a WhatsApp language code",
                              hint: "write it as WhatsApp Manager lists it: 'en', 'en_US', 'pt_BR', 'hi', 'id', 'zh_CN'")
                    continue
                }
                if textLocales[locale] == nil, !textLocales.isEmpty {
                    log.error(entry.key.start, "\(what) maps locale '\(locale)', which the template has no text for",
                              hint: "use one of \(textLocales.keys.sorted().joined(separator: ", ")), or add the text")
                    continue
                }
                languages[locale] = code
            }
        }
        var body: [String] = []
        if let bodyNode = fields["body"], bodyNode.scalarValue != .null,
           let items = bodyNode.sequence("'body' of \(what)", log: &log, hint: "list the rule params that fill {{1}}, {{2}}, …, e.g. [merchant, amount]") {
            for item in items {
                guard let param = item.string("a body parameter of \(what)", log: &log, hint: "write the name of a rule param, e.g. amount") else { continue }
                let bare = param.hasPrefix("{") && param.hasSuffix("}") ? String(param.dropFirst().dropLast()) : param
                guard bare == param, bare.first.map({ $0.isLetter || $0 == "_" }) == true, bare.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                    log.error(item.start, "body parameter '\(param)' of \(what) is not a param name",
                              hint: bare != param ? "write the bare name: '\(bare)'" : "write the name of a rule param: letters, digits and '_'")
                    continue
                }
                body.append(param)
            }
        }
        guard log.diagnostics[errorsBefore...].allSatisfy({ $0.severity == .warning }), let name else { return nil }
        return Template.WhatsAppTemplate(name: name, languages: languages, body: body)
    }

    /// An interactive message's body is at most 1,024 characters: a text whose fixed words alone are
    /// longer can never be sent with buttons.
    mutating func checkInteractiveBodies(_ translations: [Template.Translation], marks: [String: SourceMark], context: String) {
        let limit = TextLength.whatsAppTemplateBodyLimit
        for translation in translations {
            let fixed = Self.fixedLength(translation.message.parts)
            guard fixed > limit, let mark = marks[translation.locale] else { continue }
            log.error(mark, "text '\(translation.locale)' of \(context) is at least \(fixed) characters long; a WhatsApp message with buttons allows \(limit)",
                      hint: "shorten the text, or remove 'buttons:' and let customers reply in words")
        }
    }

    /// The characters a message has whatever its arguments are: its literal text, and the shortest
    /// case of each plural and select.
    static func fixedLength(_ parts: [MessageFormat.Part]) -> Int {
        parts.reduce(0) { total, part in
            switch part {
            case .text(let text): return total + TextLength.characters(text)
            case .pound: return total
            case .argument(_, let format):
                switch format {
                case .plural(_, let cases), .selectOrdinal(_, let cases):
                    return total + (cases.map { fixedLength($0.message) }.min() ?? 0)
                case .select(let cases):
                    return total + (cases.map { fixedLength($0.message) }.min() ?? 0)
                default: return total
                }
            }
        }
    }

    static func isMetaTemplateName(_ name: String) -> Bool {
        (1...512).contains(name.utf8.count) && name.utf8.allSatisfy { ("a"..."z").contains(Character(UnicodeScalar($0))) || ("0"..."9").contains(Character(UnicodeScalar($0))) || $0 == UInt8(ascii: "_") }
    }

    static func metaTemplateName(suggestedFor name: String) -> String {
        let mapped = name.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" }
        let suggestion = String(mapped.prefix(512))
        return suggestion.isEmpty ? "card_fraud_check" : suggestion
    }

    /// `en`, `pt_BR`, `zh_HK`, `es_LA`…: a language, optionally `_` and a region or script.
    static func isMetaLanguageCode(_ code: String) -> Bool {
        let parts = code.split(separator: "_", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), (2...3).contains(parts[0].count), parts[0].allSatisfy({ $0.isASCII && $0.isLowercase }) else { return false }
        guard parts.count == 2 else { return true }
        return (2...4).contains(parts[1].count) && parts[1].allSatisfy { $0.isASCII && $0.isLetter }
    }
}

extension String {
    var trimmingWhitespace: Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return self[start..<max(start, end)]
    }
}
