/// A message template: one ICU MessageFormat text per locale.
public struct Template: Sendable {
    public var id: String
    public var description: String?
    /// The locale used when the recipient's locale (and its parents) have no text.
    public var defaultLocale: String
    /// Translations in the order the file lists them.
    public var translations: [Translation]

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

    public init(id: String, description: String? = nil, defaultLocale: String, translations: [Translation]) {
        self.id = id
        self.description = description
        self.defaultLocale = defaultLocale
        self.translations = translations
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
