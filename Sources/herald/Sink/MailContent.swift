import Foundation
import HeraldCore

/// What `herald sink` shows of a received e-mail: its subject and plain text, decoded.
///
/// Reads enough MIME for what Herald's `SMTPMessageBuilder` writes and what common mail libraries
/// send: unfolded headers, RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?UTF-8?Q?…?=`) in the subject,
/// a `text/plain` body in quoted-printable, Base64, 7bit or 8bit, UTF-8, US-ASCII or ISO-8859-1, and
/// the first `text/plain` part of a `multipart/*` message. Pure: bytes in, text out; never throws,
/// since a stand-in shows what it got rather than refusing it.
struct MailContent: Sendable, Equatable {
    /// The decoded `Subject`, empty when there is none.
    var subject: String
    /// The plain-text body with LF line ends and no trailing line break, or a note saying why
    /// there is none (`(no text/plain part: image/png)`).
    var text: String
    /// `X-Herald-Delivery`, else the delivery id Herald writes into `Message-ID` (`<ID@herald>`).
    var deliveryID: String?

    /// Parts nested deeper than this are not searched for text.
    static let maximumDepth = 5
    /// Encoded words longer than this are left as they are (RFC 2047 allows 75 characters).
    static let maximumWordLength = 256

    init(_ data: [UInt8]) {
        let part = MailPart(data)
        subject = part.header("Subject").map(Self.decodeWords) ?? ""
        text = Self.plainText(of: part, depth: 0) ?? "(no text/plain part: \(part.mediaType))"
        deliveryID = part.header("X-Herald-Delivery") ?? part.header("Message-ID").flatMap(Self.heraldDeliveryID)
    }

    // MARK: - Bodies

    /// The first `text/plain` body in `part` or its subparts, decoded.
    static func plainText(of part: MailPart, depth: Int) -> String? {
        if part.mediaType.hasPrefix("multipart/") {
            guard depth < maximumDepth, let boundary = part.parameters["boundary"] else { return nil }
            for subpart in part.subparts(boundary: boundary) {
                if let text = plainText(of: subpart, depth: depth + 1) { return text }
            }
            return nil
        }
        guard part.mediaType == "text/plain" else { return nil }
        let bytes: [UInt8]
        switch part.header("Content-Transfer-Encoding")?.lowercased() {
        case "quoted-printable": bytes = quotedPrintable(part.body)
        case "base64": bytes = base64(part.body)
        default: bytes = part.body
        }
        var text = decode(bytes, charset: part.parameters["charset"] ?? "us-ascii")
        text = text.replacingOccurrences(of: "\r\n", with: "\n")
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// Quoted-printable (RFC 2045 §6.7): `=XX` is a byte, `=` at the end of a line joins it to the
    /// next, white space ending a line is dropped. A `=` not followed by two hex digits stays as it is.
    static func quotedPrintable(_ body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        let lines = body.split(separator: 0x0A, omittingEmptySubsequences: false)
        for (index, rawLine) in lines.enumerated() {
            var line = Array(rawLine)
            while let last = line.last, last == 0x0D || last == 0x20 || last == 0x09 { line.removeLast() }
            var soft = false
            if line.last == UInt8(ascii: "=") {
                line.removeLast()
                soft = true
            }
            var position = 0
            while position < line.count {
                let byte = line[position]
                if byte == UInt8(ascii: "="), position + 2 < line.count,
                   let high = ASCIIHex.value(line[position + 1]), let low = ASCIIHex.value(line[position + 2]) {
                    out.append(high << 4 | low)
                    position += 3
                } else {
                    out.append(byte)
                    position += 1
                }
            }
            if !soft, index < lines.count - 1 { out += [0x0D, 0x0A] }
        }
        return out
    }

    /// Base64 with line breaks (and anything else outside the alphabet) skipped.
    static func base64(_ body: [UInt8]) -> [UInt8] {
        var letters = String(decoding: body.filter(isBase64Letter), as: UTF8.self)
        letters += String(repeating: "=", count: (4 - letters.utf8.count % 4) % 4)
        return Data(base64Encoded: letters).map { Array($0) } ?? []
    }

    /// `bytes` in `charset`: UTF-8 and US-ASCII as UTF-8 (invalid sequences become U+FFFD),
    /// ISO-8859-1 byte for code point; any other charset is read as UTF-8 too.
    static func decode(_ bytes: [UInt8], charset: String) -> String {
        switch charset.lowercased() {
        case "iso-8859-1", "latin1", "iso_8859-1", "l1":
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        default:
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    // MARK: - Encoded words (RFC 2047)

    /// Header text with its encoded words decoded. White space between two encoded words is
    /// dropped (§6.2), and adjacent words in the same charset are joined before decoding, so a
    /// UTF-8 sequence split across two words still comes out whole.
    static func decodeWords(_ text: String) -> String {
        var out = ""
        var pendingSpace = ""
        var pending: (charset: String, bytes: [UInt8])?
        var afterWord = false
        func flush() {
            if let word = pending { out += decode(word.bytes, charset: word.charset) }
            pending = nil
        }
        // By scalar, not by Character: an encoded word's end need not be a Character boundary.
        let scalars = text.unicodeScalars
        var index = scalars.startIndex
        while index < scalars.endIndex {
            if let word = encodedWord(in: text, at: index) {
                if afterWord, let run = pending, run.charset.lowercased() == word.charset.lowercased() {
                    pending = (run.charset, run.bytes + word.bytes)
                } else {
                    flush()
                    if !afterWord { out += pendingSpace }
                    pending = (word.charset, word.bytes)
                }
                pendingSpace = ""
                afterWord = true
                index = word.end
                continue
            }
            let scalar = scalars[index]
            if scalar == " " || scalar == "\t" {
                pendingSpace.unicodeScalars.append(scalar)
            } else {
                flush()
                out += pendingSpace
                pendingSpace = ""
                out.unicodeScalars.append(scalar)
                afterWord = false
            }
            index = scalars.index(after: index)
        }
        flush()
        return (out + pendingSpace).trimmingCharacters(in: .whitespaces)
    }

    /// The encoded word `=?charset?B|Q?text?=` starting at `start`, decoded to bytes, or nil.
    /// A language suffix (`=?UTF-8*pt?Q?…?=`, RFC 2231) is ignored.
    static func encodedWord(in text: String, at start: String.Index) -> (charset: String, bytes: [UInt8], end: String.Index)? {
        // RFC 2047 words are at most 75 characters; looking no further keeps a hostile header linear.
        let rest = text.utf8[start...].prefix(maximumWordLength)
        guard rest.starts(with: "=?".utf8) else { return nil }
        let parts = rest.dropFirst(2).split(separator: UInt8(ascii: "?"), maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[1].count == 1 else { return nil }
        let payload = parts[2]
        guard let close = payload.firstRange(of: "?=".utf8), !payload[..<close.lowerBound].contains(where: { $0 <= 0x20 }) else { return nil }
        let encoded = Array(payload[..<close.lowerBound])
        let charset = String(decoding: parts[0].prefix { $0 != UInt8(ascii: "*") }, as: UTF8.self)
        let bytes: [UInt8]
        switch parts[1].first.map({ $0 | 0x20 }) {
        case UInt8(ascii: "b"):
            bytes = base64(encoded)
        case UInt8(ascii: "q"):
            bytes = quotedPrintable(encoded.map { $0 == UInt8(ascii: "_") ? 0x20 : $0 })
        default:
            return nil
        }
        return (charset, bytes, close.upperBound)
    }

    // MARK: - Helpers

    /// The delivery id in a `Message-ID` Herald wrote, `<ID@herald>` with `=XX` escapes; nil for others.
    static func heraldDeliveryID(_ messageID: String) -> String? {
        let trimmed = messageID.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("<"), trimmed.hasSuffix("@herald>") else { return nil }
        let local = Array(trimmed.utf8.dropFirst().dropLast("@herald>".utf8.count))
        guard !local.isEmpty else { return nil }
        var bytes: [UInt8] = []
        var position = 0
        while position < local.count {
            if local[position] == UInt8(ascii: "="), position + 2 < local.count,
               let high = ASCIIHex.value(local[position + 1]), let low = ASCIIHex.value(local[position + 2]) {
                bytes.append(high << 4 | low)
                position += 3
            } else {
                bytes.append(local[position])
                position += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }


    static func isBase64Letter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "+"), UInt8(ascii: "/"): true
        default: false
        }
    }
}
