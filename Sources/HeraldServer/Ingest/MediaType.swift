/// A `Content-Type` value (RFC 9110 §8.3.1): `type/subtype` and parameters, with the type,
/// subtype and parameter names lowercased (they are case-insensitive) and quoted values unescaped.
struct MediaType: Sendable, Hashable {
    var type: String
    var subtype: String
    var parameters: [Parameter]

    struct Parameter: Sendable, Hashable {
        var name: String
        var value: String
    }

    /// `application/json`.
    var essence: String { type + "/" + subtype }

    /// JSON or a JSON-based type (`application/json`, `application/vnd.bank.card+json`).
    var isJSON: Bool { essence == "application/json" || subtype.hasSuffix("+json") }

    /// The `charset` parameter, lowercased; nil when absent.
    var charset: String? {
        parameters.first { $0.name == "charset" }.map { $0.value.lowercased() }
    }

    /// Parses a header value; nil when it is not `token/token *( OWS ";" OWS [parameter] )`.
    /// Empty parameters (`application/json;`) are tolerated, as many clients send them.
    init?(_ text: String) {
        var scanner = Scanner(Array(text.utf8))
        scanner.skipWhitespace()
        guard let type = scanner.token(), scanner.skip(UInt8(ascii: "/")), let subtype = scanner.token() else { return nil }
        var parameters: [Parameter] = []
        scanner.skipWhitespace()
        while !scanner.atEnd {
            guard scanner.skip(UInt8(ascii: ";")) else { return nil }
            scanner.skipWhitespace()
            if scanner.atEnd || scanner.peek == UInt8(ascii: ";") { continue }
            guard let name = scanner.token(), scanner.skip(UInt8(ascii: "=")) else { return nil }
            let value: String
            if scanner.peek == UInt8(ascii: "\"") {
                guard let quoted = scanner.quotedString() else { return nil }
                value = quoted
            } else {
                guard let token = scanner.token() else { return nil }
                value = token
            }
            parameters.append(Parameter(name: name.lowercased(), value: value))
            scanner.skipWhitespace()
        }
        self.type = type.lowercased()
        self.subtype = subtype.lowercased()
        self.parameters = parameters
    }

    /// Reads the pieces of a header value byte by byte; bytes outside ASCII are never part of a
    /// token, so a value with them fails to parse rather than being misread.
    struct Scanner {
        let bytes: [UInt8]
        var position = 0

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
        }

        var atEnd: Bool { position >= bytes.count }
        var peek: UInt8? { atEnd ? nil : bytes[position] }

        mutating func skip(_ byte: UInt8) -> Bool {
            guard peek == byte else { return false }
            position += 1
            return true
        }

        mutating func skipWhitespace() {
            while let byte = peek, byte == 0x20 || byte == 0x09 { position += 1 }
        }

        /// RFC 9110 `token`: one or more `tchar`.
        mutating func token() -> String? {
            let start = position
            while let byte = peek, Scanner.isTokenCharacter(byte) { position += 1 }
            guard position > start else { return nil }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        /// RFC 9110 `quoted-string`, unescaped; nil when unterminated.
        mutating func quotedString() -> String? {
            guard skip(UInt8(ascii: "\"")) else { return nil }
            var out: [UInt8] = []
            while let byte = peek {
                position += 1
                switch byte {
                case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard let escaped = peek else { return nil }
                    out.append(escaped)
                    position += 1
                default: out.append(byte)
                }
            }
            return nil
        }

        static func isTokenCharacter(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "!"), UInt8(ascii: "#")...UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"),
                UInt8(ascii: "."), UInt8(ascii: "^")...UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
                true
            default:
                false
            }
        }
    }
}
