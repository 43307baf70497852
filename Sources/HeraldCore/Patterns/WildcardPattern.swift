/// A compiled `wildcard` operand: `*` matches any run of characters (also none), `\*` is a literal
/// star and `\\` a literal backslash. EventBridge refuses `**` and any other backslash escape.
///
/// Matching is on UTF-8 bytes: the first and last literal runs are anchored, the ones between are
/// found left to right, which is exact for a glob whose only metacharacter is `*` and never
/// backtracks (a value is scanned about once per literal run).
struct WildcardPattern: Sendable {
    /// Why an operand is not a valid wildcard, and where (a 1-based character position).
    enum SyntaxError: Error {
        case consecutiveStars(position: Int)
        case invalidEscape(position: Int)
    }

    /// The operand as written.
    let text: String
    /// Literal runs between the stars; `stars + 1` of them, so `*.png` is `["", ".png"]`.
    private let runs: [[UInt8]]

    init(_ text: String) throws(SyntaxError) {
        self.text = text
        let bytes = Array(text.utf8)
        var runs: [[UInt8]] = [[]]
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "*") {
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "*") {
                    throw .consecutiveStars(position: Self.characterPosition(of: index, in: bytes))
                }
                runs.append([])
                index += 1
            } else if byte == UInt8(ascii: "\\") {
                guard index + 1 < bytes.count,
                    bytes[index + 1] == UInt8(ascii: "*") || bytes[index + 1] == UInt8(ascii: "\\")
                else {
                    throw .invalidEscape(position: Self.characterPosition(of: index, in: bytes))
                }
                runs[runs.count - 1].append(bytes[index + 1])
                index += 2
            } else {
                runs[runs.count - 1].append(byte)
                index += 1
            }
        }
        self.runs = runs
    }

    /// The bytes every matching value starts with (the literal before the first star; the whole
    /// operand when it has no star).
    var leadingLiteral: [UInt8] { runs.first ?? [] }

    /// The bytes every matching value ends with.
    var trailingLiteral: [UInt8] { runs.last ?? [] }

    func matches(_ value: String) -> Bool {
        CaseInsensitiveText.withBytes(of: value) { matches(bytes: $0) }
    }

    private func matches(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = runs.first, let last = runs.last else { return false }
        if runs.count == 1 {
            return bytes.count == first.count && Self.bytes(bytes, at: 0, equal: first)
        }
        guard bytes.count >= first.count + last.count,
            Self.bytes(bytes, at: 0, equal: first),
            Self.bytes(bytes, at: bytes.count - last.count, equal: last)
        else { return false }
        var position = first.count
        let end = bytes.count - last.count
        for run in runs.dropFirst().dropLast() where !run.isEmpty {
            guard let found = Self.firstOccurrence(of: run, in: bytes, from: position, before: end) else {
                return false
            }
            position = found + run.count
        }
        return true
    }

    private static func bytes(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, equal run: [UInt8]) -> Bool {
        for index in 0..<run.count where bytes[offset + index] != run[index] {
            return false
        }
        return true
    }

    /// Where `run` first occurs entirely inside `bytes[from..<before]`.
    private static func firstOccurrence(
        of run: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from start: Int, before end: Int
    ) -> Int? {
        guard end - start >= run.count else { return nil }
        var offset = start
        while offset + run.count <= end {
            if bytes[offset] == run[0], Self.bytes(bytes, at: offset, equal: run) {
                return offset
            }
            offset += 1
        }
        return nil
    }

    /// 1-based position of the character that starts at UTF-8 offset `byteOffset`.
    private static func characterPosition(of byteOffset: Int, in bytes: [UInt8]) -> Int {
        String(decoding: bytes[..<byteOffset], as: UTF8.self).count + 1
    }
}
