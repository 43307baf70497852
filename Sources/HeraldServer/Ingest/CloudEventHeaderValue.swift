import HeraldCore

/// Decodes a `ce-*` header value the way the CloudEvents HTTP binding (1.0.2, §3.1.3.2) says:
/// first unquote an RFC 9110 quoted string (older senders quote values with spaces), then undo
/// one round of percent-encoding, whose bytes must form UTF-8.
///
/// A `%` not followed by two hex digits is kept as it is: the binding only requires decoding
/// well-formed escapes, and refusing a stray `%` would help no one.
enum CloudEventHeaderValue {
    /// The attribute value, or nil when the percent-decoded bytes are not valid UTF-8
    /// (`%C0%A0`, an overlong space, is the binding's own example).
    static func decode(_ raw: String) -> String? {
        var scanner = MediaType.Scanner(Array(raw.utf8))
        scanner.skipWhitespace()
        var text = trimmed(raw)
        if scanner.peek == UInt8(ascii: "\""), let unquoted = scanner.quotedString() {
            scanner.skipWhitespace()
            if scanner.atEnd { text = unquoted }
        }
        let bytes = Array(text.utf8)
        guard bytes.contains(UInt8(ascii: "%")) else { return text }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var position = 0
        while position < bytes.count {
            if bytes[position] == UInt8(ascii: "%"), position + 2 < bytes.count,
                let high = ASCIIHex.value(bytes[position + 1]), let low = ASCIIHex.value(bytes[position + 2])
            {
                decoded.append(high << 4 | low)
                position += 3
            } else {
                decoded.append(bytes[position])
                position += 1
            }
        }
        return String(validating: decoded, as: UTF8.self)
    }

    /// Without the optional white space (spaces and tabs) around a field value.
    static func trimmed(_ text: String) -> String {
        var scalars = Substring(text).unicodeScalars
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }

}
