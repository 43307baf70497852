import HeraldCore

/// A rule's conversation and customer-protection keys (`category`, `urgent`, `expires`, `dedupe`,
/// `on_reply`, `respect_opt_out`) and a template's SMS reply keys (`keywords` on buttons, `sms_reply`).
extension RuleFileDecoder {
    public static let dedupeKeys = ["key", "window"]
    public static let onReplyKeys = ["endpoint"]
    /// `expires`: from a second to a week.
    public static let expiresRange: ClosedRange<Duration> = .seconds(1) ... .seconds(7 * 86_400)
    /// `dedupe: window`: from a second to 30 days.
    public static let dedupeWindowRange: ClosedRange<Duration> = .seconds(1) ... .seconds(30 * 86_400)
    /// At most this many paths in a `dedupe` key.
    public static let dedupeKeyLimit = 8

    /// What a rule's protection keys say; defaults where a key is absent or wrong.
    struct RuleProtection {
        var category: RuleCategory = .service
        var urgent = false
        var expires: Duration?
        var dedupe: Dedupe?
        var onReply: (name: String, mark: SourceMark)?
        /// nil: the category's default.
        var respectOptOut: Bool?
    }

    mutating func decodeProtection(_ fields: MappingFields, context: String, hasForEach: Bool) -> RuleProtection {
        var protection = RuleProtection()
        var categoryKnown = false
        if let node = fields["category"],
           let text = node.string("'category' of \(context)", log: &log, hint: "write 'category: fraud', 'service' or 'marketing'") {
            if let category = RuleCategory(rawValue: text) {
                protection.category = category
                categoryKnown = true
            } else {
                let names = RuleCategory.allCases.map(\.rawValue)
                log.error(node.start, "unknown category '\(text)' of \(context)",
                          hint: Suggestion.closest(to: text, among: names).map { "did you mean '\($0)'?" }
                              ?? "use one of \(names.joined(separator: ", ")) (default: service)")
            }
        }
        if let node = fields["urgent"] {
            if case .bool(let value)? = node.scalarValue { protection.urgent = value } else {
                log.error(node.start, "'urgent' of \(context) must be true or false, not \(node.typeDescription)",
                          hint: "write 'urgent: true' to skip pacing and quiet hours")
            }
        }
        if let node = fields["expires"] {
            if let duration = GatewayConfigDecoder.duration(node.scalarText), Self.expiresRange.contains(duration) {
                protection.expires = duration
            } else {
                log.error(node.start, "'expires' of \(context) must be a duration from 1s to 7d, like 15m",
                          hint: "write e.g. 'expires: 15m' or 'expires: 6h'")
            }
        }
        if let node = fields["dedupe"] { protection.dedupe = decodeDedupe(node, context: context, hasForEach: hasForEach) }
        if let node = fields["on_reply"] { protection.onReply = decodeOnReply(node, context: context) }
        if let node = fields["respect_opt_out"] {
            if case .bool(let value)? = node.scalarValue {
                if categoryKnown, protection.category == .marketing, !value {
                    log.error(node.start, "\(context) is a marketing rule, which always respects opt-outs",
                              hint: "remove 'respect_opt_out: false', or use 'category: service' if the message is not marketing")
                } else {
                    protection.respectOptOut = value
                }
            } else {
                log.error(node.start, "'respect_opt_out' of \(context) must be true or false, not \(node.typeDescription)",
                          hint: "write 'respect_opt_out: true' or 'respect_opt_out: false'")
            }
        }
        if categoryKnown, protection.category == .marketing, protection.urgent, let node = fields["urgent"] {
            log.warning(node.start, "\(context) is a marketing rule marked urgent: its offers would skip pacing and quiet hours",
                        hint: "remove 'urgent: true'; urgent is for fraud checks and time-critical notices")
        }
        return protection
    }

    private mutating func decodeDedupe(_ node: YAMLNode, context: String, hasForEach: Bool) -> Dedupe? {
        let what = "'dedupe' of \(context)"
        guard node.mapping(what, log: &log, hint: "write e.g. 'dedupe: {key: $.data.transaction_id, window: 24h}'") != nil else { return nil }
        let fields = MappingFields(node, allowed: Self.dedupeKeys, required: ["key"], context: what, log: &log)
        let errorsBefore = log.diagnostics.count
        var paths: [ValuePath] = []
        if let keyNode = fields["key"] {
            let items: [YAMLNode]
            if case .sequence(let nodes) = keyNode.kind {
                items = nodes
                if nodes.isEmpty {
                    log.error(keyNode.start, "'key' of \(what) is an empty list", hint: "write a path, e.g. 'key: $.data.transaction_id', or a list of paths")
                } else if nodes.count > Self.dedupeKeyLimit {
                    log.error(nodes[Self.dedupeKeyLimit].start, "'key' of \(what) has \(nodes.count) paths; at most \(Self.dedupeKeyLimit) are allowed",
                              hint: "keep the paths that identify the message, e.g. [$.data.flight, $.data.revision]")
                }
            } else {
                items = [keyNode]
            }
            for item in items {
                guard case .string(let text)? = item.scalarValue, ValuePath.looksLikePath(text) else {
                    log.error(item.start, "'key' of \(what) must be a path into the event, not \(item.typeDescription == "a string" ? "a literal" : item.typeDescription)",
                              hint: "write e.g. 'key: $.data.transaction_id' or 'key: [$.data.flight, $.data.revision]'")
                    continue
                }
                guard let source = decodeSource(item, what: "'key' of \(what)", hasForEach: hasForEach, literalTypes: .any),
                      case .path(let path) = source else { continue }
                if paths.contains(path) {
                    log.error(item.start, "path '\(text)' is listed twice in 'key' of \(what)", hint: "remove the second one")
                    continue
                }
                paths.append(path)
            }
        }
        var window = Dedupe.defaultWindow
        if let windowNode = fields["window"] {
            if let duration = GatewayConfigDecoder.duration(windowNode.scalarText), Self.dedupeWindowRange.contains(duration) {
                window = duration
            } else {
                log.error(windowNode.start, "'window' of \(what) must be a duration from 1s to 30d, like 24h",
                          hint: "write e.g. 'window: 24h' (the default)")
            }
        }
        guard log.diagnostics[errorsBefore...].allSatisfy({ $0.severity == .warning }), !paths.isEmpty else { return nil }
        return Dedupe(key: paths, window: window)
    }

    private mutating func decodeOnReply(_ node: YAMLNode, context: String) -> (name: String, mark: SourceMark)? {
        let what = "'on_reply' of \(context)"
        if case .string(let name)? = node.scalarValue {
            log.error(node.start, "\(what) must be a mapping, not a string", hint: "write 'on_reply: {endpoint: \(name)}'")
            return nil
        }
        guard node.mapping(what, log: &log, hint: "write e.g. 'on_reply: {endpoint: bank-callback}'") != nil else { return nil }
        let fields = MappingFields(node, allowed: Self.onReplyKeys, required: ["endpoint"], context: what, log: &log)
        guard let nameNode = fields["endpoint"],
              let name = nameNode.string("'endpoint' of \(what)", log: &log, hint: "write the name of an endpoint from herald.yaml, e.g. bank-callback")
        else { return nil }
        guard RuleFileDecoder.isValidID(name) else {
            log.error(nameNode.start, "'\(name)' in \(what) is not an endpoint name",
                      hint: "endpoint names are letters, digits, '.', '_' and '-', e.g. '\(RuleFileDecoder.suggestedID(name.isEmpty ? "bank-callback" : name))'")
            return nil
        }
        return (name, nameNode.start)
    }

    // MARK: Templates: keywords and sms_reply

    struct TemplateReplies {
        var smsReply: [String: String] = [:]
        var keywordMarks: [KeywordMark] = []
    }

    /// Reads each button's `keywords` (the buttons themselves are read by `decodeButtons`) and the
    /// template's `sms_reply`, and checks them against each other.
    mutating func decodeReplies(buttonsNode: YAMLNode?, smsReplyNode: YAMLNode?, smsReplyKey: YAMLNode?, buttons: inout [Template.Button],
                                context: String, defaultLocale: String?, textLocales: [String: SourceMark]) -> TemplateReplies {
        var replies = TemplateReplies()
        // Per button id: where its keywords are (or its id, when it has none) and whether they read cleanly.
        var buttonMarks: [String: (mark: SourceMark, clean: Bool)] = [:]
        // Per locale, normalized word → the button that has it, to refuse one word for two buttons.
        var owners: [String: [String: String]] = [:]
        if case .sequence(let items)? = buttonsNode?.kind {
            for item in items {
                guard item.isMapping else { continue }
                let idNode = MappingFields.peek(item, "id")
                let id = idNode?.scalarValue?.stringValue
                let keywordsNode = MappingFields.peek(item, "keywords")
                let label = id.map { "button '\($0)' of \(context)" } ?? "a button of \(context)"
                let errorsBefore = log.diagnostics.count
                var keywords: [String: [String]] = [:]
                if let keywordsNode {
                    keywords = decodeKeywords(keywordsNode, label: label, buttonID: id, owners: &owners, marks: &replies.keywordMarks)
                }
                guard let id, let index = buttons.firstIndex(where: { $0.id == id }) else { continue }
                // A misspelt key (`keywrds`) is already reported; do not also call the keywords missing.
                let misspelt = item.mappingKeys.contains { !Self.buttonKeys.contains($0) }
                let clean = !misspelt && log.diagnostics[errorsBefore...].allSatisfy { $0.severity == .warning }
                buttonMarks[id] = ((keywordsNode ?? idNode ?? item).start, clean)
                if clean { buttons[index].keywords = keywords }
            }
        }
        guard let smsReplyNode else { return replies }
        let what = "'sms_reply' of \(context)"
        guard let entries = smsReplyNode.mapping(what, log: &log,
                                                 hint: "write one 'LOCALE: \"Reply YES if it was you or NO to block your card.\"' per language") else { return replies }
        if buttonsNode == nil {
            log.error((smsReplyKey ?? smsReplyNode).start, "\(context) has 'sms_reply' but no buttons",
                      hint: "add 'buttons:' with 'keywords:', or remove 'sms_reply:'; it tells SMS readers which words answer the buttons")
            return replies
        }
        let errorsBefore = log.diagnostics.count
        var marks: [String: SourceMark] = [:]
        var spellings = Set<String>()
        for entry in entries {
            guard let tag = entry.key.string("a locale", log: &log),
                  let locale = checkLocale(tag, node: entry.key),
                  let text = entry.value.string("sms_reply '\(tag)' of \(context)", log: &log, hint: "write the instruction as a quoted string")
            else { continue }
            if marks[locale] != nil {
                guard !spellings.contains(tag) else { continue }
                log.error(entry.key.start, "locale '\(tag)' of \(what) is given twice (as '\(locale)')", hint: "keep one instruction per locale")
                continue
            }
            spellings.insert(tag)
            if textLocales[locale] == nil, !textLocales.isEmpty {
                log.error(entry.key.start, "\(what) has an instruction for '\(locale)', which the template has no text for",
                          hint: "use one of \(textLocales.keys.sorted().joined(separator: ", ")), or add the text")
                continue
            }
            let trimmed = text.trimmingWhitespace
            if trimmed.isEmpty {
                log.error(entry.value.start, "sms_reply '\(tag)' of \(context) is empty", hint: "write the words to reply with, e.g. \"Reply YES or NO.\"")
                continue
            }
            if trimmed != text {
                log.error(entry.value.start, "sms_reply '\(tag)' of \(context) starts or ends with spaces",
                          hint: "write \"\(trimmed)\"; Herald puts it on a new line after the text")
                continue
            }
            if let brace = text.firstIndex(where: { $0 == "{" || $0 == "}" }) {
                log.error(entry.value.mark(ofCharacter: text.distance(from: text.startIndex, to: brace), sourceLines: sourceLines),
                          "sms_reply '\(tag)' of \(context) is plain text, but has '\(text[brace])'",
                          hint: "params are not filled in here; write the words to reply with, e.g. \"Reply YES if it was you.\"")
                continue
            }
            marks[locale] = entry.value.start
            replies.smsReply[locale] = text
        }
        if entries.isEmpty {
            log.error(smsReplyNode.start, "\(what) is empty", hint: "write one 'LOCALE: \"Reply YES or NO.\"' per language, or remove 'sms_reply:'")
        }
        let smsReplyClean = log.diagnostics[errorsBefore...].allSatisfy { $0.severity == .warning }
        // Every button must be answerable in each language the instruction is given in…
        for locale in replies.smsReply.keys.sorted() {
            for button in buttons {
                guard let place = buttonMarks[button.id], place.clean else { continue }
                guard let words = Self.keywords(of: button, for: locale) else {
                    log.error(place.mark, "button '\(button.id)' of \(context) has no keywords for '\(locale)', which has an 'sms_reply'",
                              hint: "add '\(locale): [WORD, …]' under the button's 'keywords:', or SMS readers cannot choose it")
                    continue
                }
                // …and the instruction should name its first word.
                guard let first = words.first, let mark = marks[locale], let text = replies.smsReply[locale] else { continue }
                if !Self.words(of: text).contains(ReplyKeywords.normalize(first)) {
                    log.warning(mark, "sms_reply '\(locale)' of \(context) does not mention '\(first)', the first keyword of button '\(button.id)'",
                                hint: "name it in the instruction (e.g. \"Reply \(first) …\"), so SMS readers know what to send")
                }
            }
        }
        if smsReplyClean, !replies.smsReply.isEmpty, let defaultLocale {
            checkSMSReplyCoverage(replies.smsReply, mark: smsReplyNode.start, context: context, defaultLocale: defaultLocale, textLocales: textLocales)
        }
        return replies
    }

    /// A button's `keywords`: locale → words, each a single word of letters and digits, no word
    /// used twice in one locale across the template's buttons.
    private mutating func decodeKeywords(_ node: YAMLNode, label: String, buttonID: String?, owners: inout [String: [String: String]],
                                         marks: inout [KeywordMark]) -> [String: [String]] {
        let what = "'keywords' of \(label)"
        guard let entries = node.mapping(what, log: &log, hint: "write one 'LOCALE: [WORD, …]' per language, e.g. {en: [YES, Y], pt-BR: [SIM, S]}") else { return [:] }
        if entries.isEmpty {
            log.error(node.start, "\(what) is empty", hint: "write one 'LOCALE: [WORD, …]' per language, or remove 'keywords:'")
        }
        var keywords: [String: [String]] = [:]
        var spellings = Set<String>()
        for entry in entries {
            guard let tag = entry.key.string("a locale", log: &log), let locale = checkLocale(tag, node: entry.key) else { continue }
            if keywords[locale] != nil {
                if !spellings.contains(tag) {
                    log.error(entry.key.start, "locale '\(tag)' of \(what) is given twice (as '\(locale)')", hint: "keep one list per locale")
                }
                continue
            }
            spellings.insert(tag)
            guard let items = entry.value.sequence("keywords '\(tag)' of \(label)", log: &log,
                                                   hint: "write a list of words, e.g. '\(tag): [YES, Y]'") else { continue }
            if items.isEmpty {
                log.error(entry.value.start, "keywords '\(tag)' of \(label) is an empty list", hint: "write at least one word, e.g. '\(tag): [YES]', or remove the locale")
            }
            var words: [String] = []
            for item in items {
                // `1` is a fine answer to "reply 1 or 2"; YAML reads it as a number.
                guard case .scalar(let scalar) = item.kind, scalar.value.isStringOrInteger else {
                    log.error(item.start, "a keyword of \(label) must be a word, not \(item.typeDescription)", hint: "write e.g. YES or SIM")
                    continue
                }
                let word = scalar.text
                guard ReplyKeywords.isValidKeyword(word) else {
                    log.error(item.start, word.isEmpty ? "a keyword of \(label) is empty" : "keyword '\(word)' of \(label) must be one word of letters and digits, at most \(ReplyKeywords.maximumLength) characters",
                              hint: "customers reply with a single word such as YES, SIM or HAAN; no spaces or punctuation")
                    continue
                }
                let normalized = ReplyKeywords.normalize(word)
                if let owner = owners[locale]?[normalized] {
                    let sameButton = buttonID != nil && owner == buttonID
                    log.error(item.start, sameButton ? "keyword '\(word)' (\(locale)) is listed twice in \(label)"
                                                     : "keyword '\(word)' (\(locale)) of \(label) is also a keyword of button '\(owner)'",
                              hint: sameButton ? "remove the second one" : "give each button its own words; case and accents do not tell them apart")
                    continue
                }
                owners[locale, default: [:]][normalized] = buttonID ?? "?"
                words.append(word)
                if let buttonID { marks.append(KeywordMark(buttonID: buttonID, locale: locale, word: word, mark: item.start)) }
            }
            if !words.isEmpty { keywords[locale] = words }
        }
        return keywords
    }

    /// A text locale without its own instruction (or a parent's) gets the default locale's, under a
    /// text in its own language, or none at all: worth a warning.
    private mutating func checkSMSReplyCoverage(_ smsReply: [String: String], mark: SourceMark, context: String, defaultLocale: String,
                                                textLocales: [String: SourceMark]) {
        let available = Array(smsReply.keys)
        let missing = textLocales.keys.filter { locale in
            let choice = LocaleNegotiation.choose(requested: locale, available: available, defaultLocale: defaultLocale)
            return smsReply[choice.locale] == nil || (locale != defaultLocale && choice.fallback?.hasSuffix("(default)") == true)
        }.sorted()
        guard !missing.isEmpty else { return }
        let fallback = smsReply[defaultLocale] != nil ? "the '\(defaultLocale)' instruction" : "no instruction"
        log.warning(mark, "\(context) has no 'sms_reply' for \(missing.joined(separator: ", ")), which its text has",
                    hint: "add \(missing.map { "'\($0): \"…\"'" }.joined(separator: ", ")), or SMS readers in those locales get \(fallback)")
    }

    /// The button's words for a locale: its own, or a parent's (`pt` covers `pt-BR`), as the matcher tries them.
    static func keywords(of button: Template.Button, for locale: String) -> [String]? {
        var subtags = locale.split(separator: "-").map(String.init)
        while !subtags.isEmpty {
            let candidate = subtags.joined(separator: "-")
            if let words = button.keywords.first(where: { LocaleNegotiation.canonical($0.key) == candidate })?.value { return words }
            subtags.removeLast()
        }
        return nil
    }

    /// The words of an instruction, normalized like replies: "Reply SIM if…" → [reply, sim, if, …].
    static func words(of text: String) -> Set<String> {
        Set(ReplyKeywords.normalize(text).split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map { ReplyKeywords.normalize(String($0)) })
    }
}

extension YAMLNode {
    /// The keys of a mapping that are scalars, as written.
    var mappingKeys: [String] {
        guard case .mapping(let entries) = kind else { return [] }
        return entries.compactMap { if case .scalar(let key) = $0.key.kind { key.text } else { nil } }
    }
}

extension JSONValue {
    /// A string, or a whole number (a keyword such as `1`).
    var isStringOrInteger: Bool {
        switch self {
        case .string: true
        case .number(let number): number.value == number.value.rounded() && number.value >= 0
        default: false
        }
    }
}
