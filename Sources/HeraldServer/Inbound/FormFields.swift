/// An `application/x-www-form-urlencoded` body or URL query, decoded as the WHATWG URL Standard
/// says: split on `&`, name and value at the first `=`, `+` is a space, `%XX` is a byte, the bytes
/// are UTF-8.
///
/// Forgiving, never failing: an empty piece (`a=1&&b=2`) is skipped, a piece without `=` is a name
/// with an empty value, a `%` not followed by two hex digits stays as it is, and bytes that are not
/// UTF-8 become U+FFFD. Every field is kept, in order (a signature covers them all); ``subscript(_:)``
/// answers the first of a name.
public struct FormFields: Sendable, Hashable {
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public var fields: [Field]

    public init(_ fields: [Field] = []) {
        self.fields = fields
    }

    /// The fields of a form body.
    public init(decoding bytes: some Collection<UInt8>) {
        var fields: [Field] = []
        for piece in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            if let equals = piece.firstIndex(of: UInt8(ascii: "=")) {
                fields.append(Field(name: Self.decode(piece[piece.startIndex..<equals]),
                                    value: Self.decode(piece[piece.index(after: equals)...])))
            } else {
                fields.append(Field(name: Self.decode(piece), value: ""))
            }
        }
        self.fields = fields
    }

    /// The fields of a URL's query: what follows the first `?`, up to a `#`. None when there is no query.
    public init(queryOf url: String) {
        let bytes = Array(url.utf8)
        guard let question = bytes.firstIndex(of: UInt8(ascii: "?")) else {
            self.init()
            return
        }
        let query = bytes[(question + 1)...]
        let end = query.firstIndex(of: UInt8(ascii: "#")) ?? query.endIndex
        self.init(decoding: query[..<end])
    }

    /// The first value of `name` (names are case-sensitive), or nil.
    public subscript(name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// The names, in order, with repeats.
    public var names: [String] { fields.map(\.name) }

    private static func decode(_ encoded: some Collection<UInt8>) -> String {
        let input = Array(encoded)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), index + 2 < input.count,
                      let high = hexValue(input[index + 1]), let low = hexValue(input[index + 2]) {
                bytes.append(high << 4 | low)
                index += 2
            } else {
                bytes.append(byte)
            }
            index += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
