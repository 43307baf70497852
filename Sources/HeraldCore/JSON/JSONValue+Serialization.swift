extension JSONValue {
    /// Compact JSON text (members in document order, no insignificant white space).
    public var compactJSON: String {
        String(decoding: compactJSONBytes, as: UTF8.self)
    }

    /// ``compactJSON`` as UTF-8 bytes, built without going through `String` (what the store and
    /// request bodies want).
    public var compactJSONBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(to: &out)
        return out
    }

    func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let number): out.append(contentsOf: number.literal.utf8)
        case .string(let text): JSONValue.writeString(text, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                element.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for (position, member) in object.members.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                member.value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// `text` as a JSON string: quotes, backslashes and control characters escaped, and U+2028 and
    /// U+2029 too (JavaScript would take them for line ends). Runs of bytes that need no escape are
    /// copied whole.
    static func writeString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var runStart = 0
            var index = 0
            let count = bytes.count
            while index < count {
                let byte = bytes[index]
                let escape: [UInt8]?
                var width = 1
                switch byte {
                case UInt8(ascii: "\""): escape = Escapes.quote
                case UInt8(ascii: "\\"): escape = Escapes.backslash
                case 0x0A: escape = Escapes.newline
                case 0x0D: escape = Escapes.carriageReturn
                case 0x09: escape = Escapes.tab
                case 0x08: escape = Escapes.backspace
                case 0x0C: escape = Escapes.formFeed
                case 0..<0x20: escape = unicodeEscape(UInt32(byte))
                case 0xE2 where index + 2 < count && bytes[index + 1] == 0x80 && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
                    escape = unicodeEscape(bytes[index + 2] == 0xA8 ? 0x2028 : 0x2029)
                    width = 3
                default: escape = nil
                }
                if let escape {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                    out.append(contentsOf: escape)
                    index += width
                    runStart = index
                } else {
                    index += 1
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<count]))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The two-character escapes, made once (texts are full of line breaks and quotes).
    private enum Escapes {
        static let quote = Array(#"\""#.utf8)
        static let backslash = Array(#"\\"#.utf8)
        static let newline = Array(#"\n"#.utf8)
        static let carriageReturn = Array(#"\r"#.utf8)
        static let tab = Array(#"\t"#.utf8)
        static let backspace = Array(#"\b"#.utf8)
        static let formFeed = Array(#"\f"#.utf8)
    }

    /// `\uXXXX`, lower-case hex.
    private static func unicodeEscape(_ value: UInt32) -> [UInt8] {
        let digits = Array("0123456789abcdef".utf8)
        return Array(#"\u"#.utf8) + [12, 8, 4, 0].map { digits[Int((value >> $0) & 0xF)] }
    }
}
