/// The bytes of one YAML file, checked before libyaml sees them and consulted again to explain
/// libyaml's errors.
///
/// Positions follow libyaml's counting, so marks computed here agree with the parser's: columns
/// count Unicode scalars (not bytes), and CR LF, CR, LF, NEL, LS and PS each end a line.
struct YAMLSource {
    /// The file without a leading UTF-8 byte-order mark.
    let bytes: ArraySlice<UInt8>

    init(_ bytes: [UInt8]) {
        // A BOM is fine in a UTF-8 file. Dropping it here (rather than letting libyaml skip it)
        // keeps line 1's columns the same as an editor shows them.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            self.bytes = bytes[3...]
        } else {
            self.bytes = bytes[...]
        }
    }

    /// Refuses what libyaml would refuse with a less helpful message (or with no position at
    /// all): UTF-16 files, bytes that are not UTF-8, NUL and other control characters.
    func validate() throws(YAMLError) {
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            throw YAMLError(
                mark: SourceMark(line: 1, column: 1),
                message: "file is UTF-16 encoded",
                hint: "Herald reads UTF-8 only; save the file as UTF-8"
            )
        }
        var cursor = Cursor(bytes: bytes)
        while cursor.offset < bytes.endIndex {
            guard let scalar = cursor.decode() else {
                let byte = bytes[cursor.offset]
                throw YAMLError(
                    mark: cursor.mark,
                    message: "file is not valid UTF-8 (byte 0x\(Self.hex(byte)))",
                    hint: "save the file as UTF-8; it may have been written as Latin-1 or Windows-1252"
                )
            }
            if !Self.isAllowed(scalar.value) {
                if scalar.value == 0 {
                    throw YAMLError(
                        mark: cursor.mark,
                        message: "file contains a NUL byte",
                        hint: "the file looks binary or UTF-16 encoded; save it as UTF-8 text"
                    )
                }
                throw YAMLError(
                    mark: cursor.mark,
                    message: "file contains the control character U+\(Self.hex(scalar.value, width: 4))",
                    hint: "YAML allows only tabs, line breaks and printable characters; delete it "
                        + "(most editors do not show it)"
                )
            }
            cursor.advance(over: scalar)
        }
    }

    /// The 1-based mark of a byte offset into `bytes` (relative to its start).
    func mark(atByteOffset target: Int) -> SourceMark {
        var cursor = Cursor(bytes: bytes)
        let end = bytes.startIndex + max(0, target)
        while cursor.offset < min(end, bytes.endIndex), let scalar = cursor.decode() {
            cursor.advance(over: scalar)
        }
        return cursor.mark
    }

    /// The character at a 1-based mark, or nil past the end of its line or of the file.
    func character(at mark: SourceMark) -> Unicode.Scalar? {
        guard mark.line >= 1 else { return nil }
        let lines = lines(through: mark.line)
        guard lines.count == mark.line else { return nil }
        let scalars = Array(lines[mark.line - 1].unicodeScalars)
        let index = mark.column - 1
        return index >= 0 && index < scalars.count ? scalars[index] : nil
    }

    /// The texts of lines 1 through `last` (fewer when the file is shorter), without their line
    /// breaks, decoded in one pass. For explaining errors only, so it need not be fast, just linear.
    func lines(through last: Int) -> [String] {
        var cursor = Cursor(bytes: bytes)
        var lines: [String] = []
        var text = String.UnicodeScalarView()
        while cursor.offset < bytes.endIndex, let scalar = cursor.decode() {
            let line = cursor.line
            cursor.advance(over: scalar)
            if cursor.line != line {
                lines.append(String(text))
                text = String.UnicodeScalarView()
                if lines.count == last { return lines }
            } else if !Self.isBreak(scalar.value) {
                text.append(scalar)
            }
        }
        lines.append(String(text))
        return Array(lines.prefix(max(0, last)))
    }

    // MARK: - Decoding

    /// Walks the bytes one Unicode scalar at a time, keeping libyaml's line and column.
    private struct Cursor {
        let bytes: ArraySlice<UInt8>
        var offset: Int
        /// 1-based.
        var line = 1
        var column = 1
        /// Length in bytes of the scalar last decoded.
        private var width = 0

        init(bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            self.offset = bytes.startIndex
        }

        var mark: SourceMark { SourceMark(line: line, column: column) }

        /// The scalar at `offset`, or nil when the bytes there are not well-formed UTF-8
        /// (overlong forms, surrogates and values past U+10FFFF included).
        mutating func decode() -> Unicode.Scalar? {
            let b0 = bytes[offset]
            if b0 < 0x80 {
                width = 1
                return Unicode.Scalar(b0)
            }
            let count: Int
            let secondRange: ClosedRange<UInt8>
            var value: UInt32
            switch b0 {
            case 0xC2...0xDF: count = 2; secondRange = 0x80...0xBF; value = UInt32(b0 & 0x1F)
            case 0xE0: count = 3; secondRange = 0xA0...0xBF; value = UInt32(b0 & 0x0F)
            case 0xE1...0xEC, 0xEE...0xEF: count = 3; secondRange = 0x80...0xBF; value = UInt32(b0 & 0x0F)
            case 0xED: count = 3; secondRange = 0x80...0x9F; value = UInt32(b0 & 0x0F)
            case 0xF0: count = 4; secondRange = 0x90...0xBF; value = UInt32(b0 & 0x07)
            case 0xF1...0xF3: count = 4; secondRange = 0x80...0xBF; value = UInt32(b0 & 0x07)
            case 0xF4: count = 4; secondRange = 0x80...0x8F; value = UInt32(b0 & 0x07)
            default: return nil
            }
            guard offset + count <= bytes.endIndex else { return nil }
            for i in 1..<count {
                let byte = bytes[offset + i]
                let range: ClosedRange<UInt8> = i == 1 ? secondRange : 0x80...0xBF
                guard range.contains(byte) else { return nil }
                value = value << 6 | UInt32(byte & 0x3F)
            }
            width = count
            return Unicode.Scalar(value)
        }

        /// Moves past the scalar `decode()` just returned.
        mutating func advance(over scalar: Unicode.Scalar) {
            let crBeforeLF = scalar.value == 0x0D && offset + 1 < bytes.endIndex && bytes[offset + 1] == 0x0A
            offset += width
            if crBeforeLF { return }  // CR LF is one line break: the LF ends the line.
            if YAMLSource.isBreak(scalar.value) {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
    }

    static func isBreak(_ value: UInt32) -> Bool {
        value == 0x0A || value == 0x0D || value == 0x85 || value == 0x2028 || value == 0x2029
    }

    /// The characters libyaml's reader accepts (YAML 1.1 `c-printable`).
    static func isAllowed(_ value: UInt32) -> Bool {
        switch value {
        case 0x09, 0x0A, 0x0D, 0x20...0x7E, 0x85, 0xA0...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    static func hex<T: BinaryInteger>(_ value: T, width: Int = 2) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
