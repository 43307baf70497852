/// An IPv4 or IPv6 address, read the way EventBridge reads them: four dotted decimal octets
/// (leading zeros allowed and still decimal: `010.0.0.1` is `10.0.0.1`), or colon-separated hex
/// groups with at most one `::`. Zone ids and IPv4-in-IPv6 tails are not addresses to EventBridge.
struct IPAddress: Sendable, Hashable {
    enum Family: Sendable, Hashable {
        case v4, v6

        var bitCount: Int { self == .v4 ? 32 : 128 }
    }

    let family: Family
    /// The address as a number (an IPv4 address uses the low 32 bits).
    let value: UInt128

    init?<S: StringProtocol>(_ text: S) {
        if let value = Self.parseIPv4(text.utf8) {
            self.family = .v4
            self.value = value
        } else if let value = Self.parseIPv6(text.utf8) {
            self.family = .v6
            self.value = value
        } else {
            return nil
        }
    }

    private static func parseIPv4<C: Collection>(_ bytes: C) -> UInt128? where C.Element == UInt8 {
        var value: UInt128 = 0
        var octets = 0
        var octet = 0
        var digits = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, octets < 3 else { return nil }
                value = value << 8 | UInt128(octet)
                octets += 1
                octet = 0
                digits = 0
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                octet = octet * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
                guard octet <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, octets == 3 else { return nil }
        return value << 8 | UInt128(octet)
    }

    private static func parseIPv6<C: Collection>(_ text: C) -> UInt128? where C.Element == UInt8 {
        let bytes = Array(text)
        let colon = UInt8(ascii: ":")
        guard bytes.contains(colon) else { return nil }
        var compression: Int?
        for index in 0..<max(0, bytes.count - 1) where bytes[index] == colon && bytes[index + 1] == colon {
            compression = index
            break
        }
        if let compression {
            guard let head = hexGroups(bytes[..<compression]),
                let tail = hexGroups(bytes[(compression + 2)...]),
                head.count + tail.count <= 7
            else { return nil }
            var value: UInt128 = 0
            for group in head { value = value << 16 | UInt128(group) }
            value <<= 16 * (8 - head.count - tail.count)
            for group in tail { value = value << 16 | UInt128(group) }
            return value
        }
        guard let groups = hexGroups(bytes[...]), groups.count == 8 else { return nil }
        var value: UInt128 = 0
        for group in groups { value = value << 16 | UInt128(group) }
        return value
    }

    /// `a:b:c` as 16-bit groups of one to four hex digits; an empty run is no groups. A second
    /// `::`, an empty group or a stray colon makes it nil.
    private static func hexGroups(_ bytes: ArraySlice<UInt8>) -> [UInt16]? {
        if bytes.isEmpty { return [] }
        var groups: [UInt16] = []
        var current: UInt16 = 0
        var digits = 0
        for byte in bytes {
            if byte == UInt8(ascii: ":") {
                guard digits > 0 else { return nil }
                groups.append(current)
                current = 0
                digits = 0
            } else if let nibble = ASCIIHex.value(byte) {
                digits += 1
                guard digits <= 4 else { return nil }
                current = current << 4 | UInt16(nibble)
            } else {
                return nil
            }
        }
        guard digits > 0 else { return nil }
        groups.append(current)
        return groups
    }

}

/// A compiled `cidr` operand: every address of one family whose first `prefixLength` bits equal
/// those of the block's address. Host bits in the operand are ignored, as EventBridge does
/// (`10.0.0.5/24` is the block `10.0.0.0/24`).
struct CIDRBlock: Sendable {
    enum ParseError: Error {
        case missingSlash
        case prefixNotInteger(String)
        case negativePrefix
        case notAnAddress(String)
        case prefixTooLong(IPAddress.Family, Int)
    }

    let text: String
    let family: IPAddress.Family
    let lowest: UInt128
    let highest: UInt128

    init(_ text: String) throws(ParseError) {
        self.text = text
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[1].isEmpty else { throw .missingSlash }
        let lengthText = parts[1]
        // EventBridge reads the length with Java's integer parser: an optional sign, then digits.
        let digitsText = lengthText.first == "+" || lengthText.first == "-" ? lengthText.dropFirst() : lengthText[...]
        guard !digitsText.isEmpty, digitsText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw .prefixNotInteger(String(lengthText))
        }
        let magnitude = digitsText.count > 4 ? Int.max : Int(digitsText) ?? Int.max
        let isNegative = lengthText.first == "-" && magnitude != 0
        guard !isNegative else { throw .negativePrefix }
        guard let address = IPAddress(parts[0]) else { throw .notAnAddress(String(parts[0])) }
        // EventBridge refuses a full-length prefix (/32, /128): one address is written as a plain value.
        guard magnitude < address.family.bitCount else { throw .prefixTooLong(address.family, magnitude) }

        let hostBits = address.family.bitCount - magnitude
        // 1 << 128 is 0 in Swift, so the all-ones mask of an IPv6 /0 is spelled out.
        let hostMask: UInt128 = hostBits >= 128 ? .max : (UInt128(1) << hostBits) - 1
        self.family = address.family
        self.lowest = address.value & ~hostMask
        self.highest = address.value | hostMask
    }

    /// The value is a string holding an address inside the block.
    func contains(_ value: String) -> Bool {
        guard let address = IPAddress(value), address.family == family else { return false }
        return address.value >= lowest && address.value <= highest
    }
}
