/// Text length as chat channels count it for their limits.
public enum TextLength {
    /// The most characters WhatsApp accepts in the body of a `text` message.
    public static let whatsAppTextBodyLimit = 4096
    /// The most characters WhatsApp accepts in the body of a message template or an interactive
    /// message.
    public static let whatsAppTemplateBodyLimit = 1024

    /// Characters as WhatsApp counts them for its limits: UTF-16 code units.
    ///
    /// Meta's Cloud API reference gives the limits in "characters" ("Maximum 4096 characters" for a
    /// text body, 1024 for a template or interactive body) without saying what a character is.
    /// Herald counts UTF-16 code units, so `é` is 1, `👍` is 2 and `👍🏽` is 4, because:
    /// - it is never less than the other readings (Unicode scalars, grapheme clusters), so a text
    ///   within the limit by this count is within it however Meta counts; a scalar or grapheme count
    ///   would let through emoji-heavy text that a UTF-16 count rejects;
    /// - it is what the JavaScript clients of the API check before sending (`whatsapp-api-js`
    ///   rejects a `Text` whose `body.length`, a UTF-16 count, exceeds 4096).
    ///
    /// No normalization: `e` + U+0301 counts 2, as it is sent.
    public static func characters(_ text: String) -> Int {
        text.utf16.count
    }
}
