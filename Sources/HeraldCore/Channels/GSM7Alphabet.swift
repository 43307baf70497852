/// The GSM 7-bit default alphabet and its extension table, as 3GPP TS 23.038 §6.2.1 and §6.2.1.1
/// (formerly GSM 03.38) define them.
///
/// The basic table holds 127 characters (its 128th code, 0x1B, is the escape to the extension
/// table); each costs one septet. The extension table holds ten characters reachable only as
/// escape + code, so each costs two septets. National language shift tables (TS 23.038 §6.2.1.2,
/// e.g. Hindi or Portuguese) are not used: they need a header in every part and support for them
/// among carriers and SMS providers is patchy, so a message that needs them is sent as UCS-2.
///
/// Code 0x09 is `Ç` (U+00C7), as the 3GPP table draws it and as Android's `GsmAlphabet` and
/// Firefox OS's RIL map it. Unicode's `GSM0338.TXT` maps it to `ç` (U+00E7) instead, arguing from
/// language coverage; a provider that followed it would still show `Ç` on the handset. Counting
/// `ç` as outside GSM-7 can only over-count a message, never under-count it.
enum GSM7Alphabet {
    /// The septets `scalar` takes in a GSM-7 message: 1 for the basic table, 2 for the extension
    /// table, nil when GSM-7 cannot carry it. No normalization: `e` + U+0301 is not `é`.
    @inline(__always)
    static func septets(for scalar: Unicode.Scalar) -> Int? {
        switch scalar.value {
        // ASCII in the basic table: LF, CR, space through Z (0x20–0x3F are all there, @ too), _, a–z.
        case 0x0A, 0x0D, 0x20...0x5A, 0x5F, 0x61...0x7A:
            return 1
        // The rest of the basic table: £ ¥ è é ù ì ò Ç Ø ø Å å Δ Φ Γ Λ Ω Π Ψ Σ Θ Ξ Æ æ ß É ¤ ¡ Ä Ö Ñ Ü § ¿ ä ö ñ ü à.
        case 0x00A3, 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC, 0x00F2, 0x00C7, 0x00D8, 0x00F8, 0x00C5, 0x00E5,
             0x0394, 0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8, 0x03A3, 0x0398, 0x039E,
             0x00C6, 0x00E6, 0x00DF, 0x00C9, 0x00A4, 0x00A1, 0x00C4, 0x00D6, 0x00D1, 0x00DC, 0x00A7,
             0x00BF, 0x00E4, 0x00F6, 0x00F1, 0x00FC, 0x00E0:
            return 1
        // The extension table: form feed, [ \ ] ^, { | } ~, €.
        case 0x0C, 0x5B...0x5E, 0x7B...0x7E, 0x20AC:
            return 2
        default:
            // Not in GSM-7: tab, `, other control characters, á ã ç ê í ó õ ú, ₹, no-break spaces
            // (U+00A0, U+202F), curly quotes, every non-Latin script and every emoji.
            return nil
        }
    }
}
