/// A message template: one ICU MessageFormat text per locale, with optional reply buttons and the
/// WhatsApp (Meta) template it stands for.
public struct Template: Sendable {
    public var id: String
    public var description: String?
    /// The locale used when the recipient's locale (and its parents) have no text.
    public var defaultLocale: String
    /// Translations in the order the file lists them.
    public var translations: [Translation]
    /// Reply buttons, in the order shown: WhatsApp interactive reply buttons, or the quick-reply
    /// buttons of `whatsapp`'s pre-approved template.
    public var buttons: [Button]
    /// When set, WhatsApp channels send this pre-approved Meta template instead of free text.
    public var whatsapp: WhatsAppTemplate?
    /// `sms_reply`: per locale, the plain-text instruction appended to the text when the message goes
    /// out by SMS and the template has buttons ("Reply YES if it was you or NO to block your card.").
    public var smsReply: [String: String]

    public struct Translation: Sendable {
        public var locale: String
        public var source: String
        public var message: MessageFormat

        public init(locale: String, source: String, message: MessageFormat) {
            self.locale = locale
            self.source = source
            self.message = message
        }
    }

    /// A reply button: a stable id (what a reply reports), a title per locale, and the words an SMS
    /// (or typed WhatsApp) reply may be to choose it.
    public struct Button: Sendable, Hashable {
        public var id: String
        /// Titles in the order the file lists them.
        public var titles: [(locale: String, title: String)]
        /// `keywords`: per locale, the words that choose this button in a text reply (`{en: [YES, Y]}`),
        /// as written; `ReplyKeywords` compares them ignoring case, diacritics and trailing punctuation.
        public var keywords: [String: [String]]

        public init(id: String, titles: [(locale: String, title: String)], keywords: [String: [String]] = [:]) {
            self.id = id
            self.titles = titles
            self.keywords = keywords
        }

        /// The title for a text locale: its own, its parent's (`pt` for `pt-BR`), else the default locale's.
        public func title(for locale: String, defaultLocale: String) -> String? {
            let choice = LocaleNegotiation.choose(requested: locale, available: titles.map(\.locale), defaultLocale: defaultLocale)
            return titles.first { $0.locale == choice.locale }?.title
        }

        public static func == (lhs: Button, rhs: Button) -> Bool {
            lhs.id == rhs.id && lhs.titles.elementsEqual(rhs.titles) { $0.locale == $1.locale && $0.title == $1.title }
                && lhs.keywords == rhs.keywords
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(id)
            for (locale, title) in titles { hasher.combine(locale); hasher.combine(title) }
            hasher.combine(keywords)
        }
    }

    /// A template approved in Meta's WhatsApp Manager, sent by name with its body parameters.
    public struct WhatsAppTemplate: Sendable, Hashable {
        /// The template's name in WhatsApp Manager (`aurora_card_fraud_check`).
        public var name: String
        /// Meta's language code per text locale, where it differs from the derived one (`en` → `en_US`).
        public var languages: [String: String]
        /// The rule params that fill `{{1}}`, `{{2}}`, … of the approved body, in order.
        public var body: [String]

        public init(name: String, languages: [String: String] = [:], body: [String] = []) {
            self.name = name
            self.languages = languages
            self.body = body
        }

        /// Meta's language code for a text locale: the configured one, else the tag with `_`
        /// (`pt-BR` → `pt_BR`, `hi` → `hi`).
        public func languageCode(for locale: String) -> String {
            languages[locale] ?? String(locale.map { $0 == "-" ? "_" : $0 })
        }
    }

    public init(id: String, description: String? = nil, defaultLocale: String, translations: [Translation],
                buttons: [Button] = [], whatsapp: WhatsAppTemplate? = nil, smsReply: [String: String] = [:]) {
        self.id = id
        self.description = description
        self.defaultLocale = defaultLocale
        self.translations = translations
        self.buttons = buttons
        self.whatsapp = whatsapp
        self.smsReply = smsReply
    }

    /// The `sms_reply` instruction for a text locale (the locale of the translation sent): its own,
    /// its parent's, else the default locale's; nil when the template has no buttons or no instruction.
    public func smsReply(for textLocale: String) -> String? {
        guard !buttons.isEmpty, !smsReply.isEmpty else { return nil }
        let choice = LocaleNegotiation.choose(requested: textLocale, available: Array(smsReply.keys), defaultLocale: defaultLocale)
        return smsReply[choice.locale]
    }

    /// The text an SMS channel sends: the rendered text, then a newline and the `sms_reply`
    /// instruction for its locale, when there is one.
    public func smsText(_ rendered: String, textLocale: String) -> String {
        guard let instruction = smsReply(for: textLocale) else { return rendered }
        return rendered + "\n" + instruction
    }

    public var locales: [String] { translations.map(\.locale) }

    /// Every argument any translation uses.
    public var argumentNames: Set<String> {
        translations.reduce(into: Set<String>()) { $0.formUnion($1.message.argumentNames) }
    }

    public func translation(for locale: String) -> Translation? {
        translations.first { $0.locale == locale }
    }
}
