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

    /// A reply button: a stable id (what a reply reports) and a title per locale.
    public struct Button: Sendable, Hashable {
        public var id: String
        /// Titles in the order the file lists them.
        public var titles: [(locale: String, title: String)]

        public init(id: String, titles: [(locale: String, title: String)]) {
            self.id = id
            self.titles = titles
        }

        /// The title for a text locale: its own, its parent's (`pt` for `pt-BR`), else the default locale's.
        public func title(for locale: String, defaultLocale: String) -> String? {
            let choice = LocaleNegotiation.choose(requested: locale, available: titles.map(\.locale), defaultLocale: defaultLocale)
            return titles.first { $0.locale == choice.locale }?.title
        }

        public static func == (lhs: Button, rhs: Button) -> Bool {
            lhs.id == rhs.id && lhs.titles.elementsEqual(rhs.titles) { $0.locale == $1.locale && $0.title == $1.title }
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(id)
            for (locale, title) in titles { hasher.combine(locale); hasher.combine(title) }
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
                buttons: [Button] = [], whatsapp: WhatsAppTemplate? = nil) {
        self.id = id
        self.description = description
        self.defaultLocale = defaultLocale
        self.translations = translations
        self.buttons = buttons
        self.whatsapp = whatsapp
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
