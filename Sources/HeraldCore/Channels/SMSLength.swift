/// How long a text is as an SMS: its encoding, its length in that encoding and the number of
/// parts (segments) a carrier bills for it.
///
/// An SMS part carries 140 octets. A text that fits in one part gets all of them; a longer text is
/// sent as a concatenated SMS, and each part then spends 6 octets on the header that tells the
/// handset how to join the parts (3GPP TS 23.040 §9.2.3.24.1):
///
/// | Encoding | Unit | One part | Each part of a longer text |
/// |---|---|---|---|
/// | GSM-7 | septet | 160 | 153 |
/// | UCS-2 | UTF-16 code unit | 70 | 67 |
///
/// GSM-7 is used when every character is in the GSM 7-bit alphabet (``GSM7Alphabet``), else the
/// whole text is UCS-2: one `ç`, `₹`, no-break space or emoji costs the GSM-7 message more than half
/// of its room. UCS-2 here is UTF-16, as handsets and SMS providers use it: a character outside the
/// Basic Multilingual Plane (most emoji) is a surrogate pair and counts 2.
///
/// Parts are counted the way a sender cuts them: an escape + character pair (`€`, `{`, `[`…) is
/// never split between two GSM-7 parts, and a surrogate pair never between two UCS-2 parts, so such
/// a character that would straddle a boundary moves whole to the next part. That is why 152 × `a`,
/// `€`, 152 × `a` (306 septets, twice 153) takes 3 parts, not 2. Grapheme clusters, by contrast, may be
/// split (the handset joins the parts before it draws them), so only the encoding units matter.
///
/// The text is measured exactly as given: it is not normalized, and no character is replaced by a
/// look-alike (`ç` by `Ç`, a no-break space by a space). Whether to substitute is the SMS sender's
/// decision; this is the cost of the text it is handed.
public struct SMSLength: Sendable, Hashable {
    /// How the text travels.
    public enum Encoding: String, Sendable {
        /// The GSM 7-bit default alphabet with its extension table.
        case gsm7 = "GSM-7"
        /// 16-bit units (UTF-16, so surrogate pairs are allowed).
        case ucs2 = "UCS-2"

        /// The most units a text may have to go in one part: 160 septets or 70 UTF-16 units.
        public var singlePartCapacity: Int {
            switch self {
            case .gsm7: 160
            case .ucs2: 70
            }
        }

        /// The units each part of a concatenated SMS carries: 153 septets or 67 UTF-16 units.
        public var concatenatedPartCapacity: Int {
            switch self {
            case .gsm7: 153
            case .ucs2: 67
            }
        }
    }

    public var encoding: Encoding
    /// Septets for GSM-7 (extension-table characters count 2), UTF-16 code units for UCS-2.
    public var units: Int
    /// The parts the text is sent as: 0 for the empty text (nothing is sent), 1 up to the encoding's
    /// ``Encoding/singlePartCapacity``, else the parts of a concatenated SMS, counted part by part.
    public var segments: Int

    public init(encoding: Encoding, units: Int, segments: Int) {
        self.encoding = encoding
        self.units = units
        self.segments = segments
    }

    /// Measures `text` as an SMS. Pure and allocation-free.
    public static func measure(_ text: String) -> SMSLength {
        var septets = 0
        for scalar in text.unicodeScalars {
            guard let width = GSM7Alphabet.septets(for: scalar) else {
                return measured(text, encoding: .ucs2, units: text.utf16.count) { UTF16.width($0) }
            }
            septets += width
        }
        // Every scalar is in the alphabet here, so the fallback width is never used.
        return measured(text, encoding: .gsm7, units: septets) { GSM7Alphabet.septets(for: $0) ?? 1 }
    }

    private static func measured(_ text: String, encoding: Encoding, units: Int,
                                 width: (Unicode.Scalar) -> Int) -> SMSLength {
        if units == 0 { return SMSLength(encoding: encoding, units: 0, segments: 0) }
        if units <= encoding.singlePartCapacity { return SMSLength(encoding: encoding, units: units, segments: 1) }
        // Fill parts in order; a 2-unit character that does not fit in what is left starts a new part.
        let capacity = encoding.concatenatedPartCapacity
        var segments = 1
        var used = 0
        for scalar in text.unicodeScalars {
            let size = width(scalar)
            if used + size > capacity {
                segments += 1
                used = 0
            }
            used += size
        }
        return SMSLength(encoding: encoding, units: units, segments: segments)
    }
}
