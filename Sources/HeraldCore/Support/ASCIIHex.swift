/// Hexadecimal digits in ASCII bytes, for the percent-encodings and hex literals Herald reads.
public enum ASCIIHex {
    /// The value of a hex digit (`0`–`9`, `a`–`f`, `A`–`F`), or nil.
    public static func value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Hex digits (either case) as bytes: exactly `count` bytes from `2 × count` digits, or nil.
    public static func bytes(_ digits: some Collection<UInt8>, count: Int) -> [UInt8]? {
        let digits = Array(digits)
        guard digits.count == 2 * count else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        var index = 0
        while index < digits.count {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}
