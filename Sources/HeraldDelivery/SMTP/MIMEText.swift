import Foundation

/// The text encodings a MIME message needs: RFC 2047 encoded words for header text, and
/// quoted-printable or Base64 (RFC 2045) for the body. Output uses CRLF line ends throughout.
enum MIMEText {
    /// The longest header line written, CRLF excluded: RFC 2047 §2 limits a line holding encoded words to 76.
    static let maximumLineLength = 76

    /// A header field `name: text`, folded to lines of at most 76 characters, no final CRLF.
    ///
    /// Printable ASCII without `=?` goes as it is, folded at spaces. Anything else — non-ASCII text,
    /// a word too long to fold — becomes UTF-8 `B` encoded words of at most 75 characters each, one
    /// per line, split between characters (never inside a UTF-8 sequence, so each word decodes alone).
    /// Control characters (a line break from a template) become spaces: they cannot be in a header.
    static func header(_ name: String, _ text: String) -> String {
        let clean = String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
        let words = clean.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let plain = clean.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F } && !clean.contains("=?")
            && words.allSatisfy { $0.utf8.count <= maximumLineLength - 1 - (name.utf8.count + 1) }
        return fold(name, plain ? words : encodedWords(clean, firstLineUsed: name.utf8.count + 2))
    }

    /// Joins `tokens` with single spaces after `name:`, moving a token to a new line (CRLF and a
    /// space, which unfolds back to the space) whenever the line would pass 76 characters.
    /// Empty tokens (runs of spaces) never start a line: a line of only white space is not allowed.
    static func fold(_ name: String, _ tokens: [String]) -> String {
        var out = name + ":"
        var lineLength = out.utf8.count
        for token in tokens {
            let length = token.utf8.count
            if lineLength + 1 + length > maximumLineLength, !token.isEmpty, lineLength > 1 {
                out += "\r\n"
                lineLength = 0
            }
            out += " " + token
            lineLength += 1 + length
        }
        return out
    }

    /// `text` as `=?UTF-8?B?…?=` words: the first sized to follow `firstLineUsed` characters on its
    /// line, the rest to fill a continuation line (a space and 75 characters).
    static func encodedWords(_ text: String, firstLineUsed: Int) -> [String] {
        let overhead = "=?UTF-8?B??=".utf8.count
        func capacity(_ room: Int) -> Int { max(3, (room - overhead) / 4 * 3) }
        var words: [String] = []
        var chunk: [UInt8] = []
        var limit = capacity(maximumLineLength - firstLineUsed)
        func flush() {
            guard !chunk.isEmpty else { return }
            words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
            chunk = []
            limit = capacity(maximumLineLength - 1)
        }
        for character in text {
            let bytes = Array(String(character).utf8)
            if bytes.count <= limit {
                if chunk.count + bytes.count > limit { flush() }
                chunk += bytes
            } else {
                // One character longer than a word (a long emoji sequence): split between its scalars.
                for scalar in character.unicodeScalars {
                    let scalarBytes = Array(String(scalar).utf8)
                    if chunk.count + scalarBytes.count > limit { flush() }
                    chunk += scalarBytes
                }
            }
        }
        flush()
        return words.isEmpty ? ["=?UTF-8?B??="] : words
    }

    /// The body's lines (split at CRLF, CR or LF) as UTF-8 bytes.
    static func lines(_ text: String) -> [[UInt8]] {
        var lines: [[UInt8]] = [[]]
        var previousWasCR = false
        for byte in text.utf8 {
            switch byte {
            case 0x0D:
                lines.append([])
                previousWasCR = true
            case 0x0A:
                if !previousWasCR { lines.append([]) }
                previousWasCR = false
            default:
                lines[lines.count - 1].append(byte)
                previousWasCR = false
            }
        }
        return lines
    }

    /// Quoted-printable (RFC 2045 §6.7): printable ASCII stays, `=` and other bytes become `=XX`,
    /// a space or tab ending a line is encoded, and lines are cut with soft breaks (`=` CRLF) so
    /// none passes 76 characters. A line starting `From ` gets its `F` encoded, which old mailbox
    /// formats would otherwise mangle into `>From `. Ends with CRLF.
    static func quotedPrintable(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        for line in lines(text) {
            var current: [UInt8] = []
            for (index, byte) in line.enumerated() {
                let isLast = index == line.count - 1
                let literal: Bool
                switch byte {
                case UInt8(ascii: "="): literal = false
                case 0x21...0x7E: literal = !(index == 0 && byte == UInt8(ascii: "F") && line.starts(with: Array("From ".utf8)))
                case 0x20, 0x09: literal = !isLast
                default: literal = false
                }
                let token = literal ? [byte] : escape(byte)
                if current.count + token.count > maximumLineLength - 1 {
                    out += current + Array("=\r\n".utf8)
                    current = []
                }
                current += token
            }
            out += current + [0x0D, 0x0A]
        }
        return out
    }

    /// Base64 of the body's UTF-8 (with CRLF line ends) in lines of 76 characters. Ends with CRLF.
    static func base64(_ text: String) -> [UInt8] {
        let crlf = Array(lines(text).joined(separator: [0x0D, 0x0A])) + [0x0D, 0x0A]
        let encoded = Array(Data(crlf).base64EncodedString().utf8)
        var out: [UInt8] = []
        var start = 0
        while start < encoded.count {
            let end = min(start + maximumLineLength, encoded.count)
            out += encoded[start..<end] + [0x0D, 0x0A]
            start = end
        }
        return out
    }

    private static func escape(_ byte: UInt8) -> [UInt8] {
        let hex = Array("0123456789ABCDEF".utf8)
        return [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
    }
}
