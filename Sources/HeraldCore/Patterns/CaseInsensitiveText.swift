/// Pattern text for `equals-ignore-case` (alone, or nested in `prefix`, `suffix` and `anything-but`),
/// compared the way EventBridge does it: each character of the *pattern* may appear in the value
/// in its lower-case or its upper-case form.
///
/// That is neither `lowercased() ==` nor case folding: `ß` in a pattern also matches `SS`, and the
/// relation is one-way (a pattern `K` matches the value `k` but not the Kelvin sign `K`, whose
/// lower case happens to be `k`). Comparison is on UTF-8 bytes, like EventBridge's byte machine.
struct CaseInsensitiveText: Sendable {
    /// The text as written in the pattern.
    let text: String
    /// For an ASCII pattern (the common case): its bytes in lower case, compared byte by byte.
    private let asciiLower: [UInt8]?
    /// Otherwise, for each pattern character, the UTF-8 forms it may take in the value (one or two).
    private let forms: [[[UInt8]]]

    init(_ text: String) {
        self.text = text
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            asciiLower = text.utf8.map(Self.lowerASCII)
            forms = []
        } else {
            asciiLower = nil
            forms = text.map { character in
                let lower = Array(character.lowercased().utf8)
                let upper = Array(character.uppercased().utf8)
                return lower == upper ? [lower] : [lower, upper]
            }
        }
    }

    /// The whole value matches the pattern.
    func equals(_ value: String) -> Bool {
        Self.withBytes(of: value) { bytes in
            if let asciiLower {
                guard bytes.count == asciiLower.count else { return false }
                for index in 0..<bytes.count where Self.lowerASCII(bytes[index]) != asciiLower[index] {
                    return false
                }
                return true
            }
            return reachableEnds(in: bytes).contains(bytes.count)
        }
    }

    /// The value starts with the pattern.
    func isPrefix(of value: String) -> Bool {
        Self.withBytes(of: value) { bytes in
            if let asciiLower {
                guard bytes.count >= asciiLower.count else { return false }
                for index in 0..<asciiLower.count where Self.lowerASCII(bytes[index]) != asciiLower[index] {
                    return false
                }
                return true
            }
            return !reachableEnds(in: bytes).isEmpty
        }
    }

    /// The value ends with the pattern.
    func isSuffix(of value: String) -> Bool {
        Self.withBytes(of: value) { bytes in
            if let asciiLower {
                guard bytes.count >= asciiLower.count else { return false }
                let start = bytes.count - asciiLower.count
                for index in 0..<asciiLower.count where Self.lowerASCII(bytes[start + index]) != asciiLower[index] {
                    return false
                }
                return true
            }
            return !reachableStarts(in: bytes).isEmpty
        }
    }

    /// Offsets in `bytes` at which a match of the whole pattern, anchored at the start, can end.
    /// Forms differ in length (`ß` / `SS`), so every reachable offset is carried rather than one.
    private func reachableEnds(in bytes: UnsafeBufferPointer<UInt8>) -> [Int] {
        var reachable = [0]
        for characterForms in forms {
            var next: [Int] = []
            for offset in reachable {
                for form in characterForms where Self.bytes(bytes, at: offset, startWith: form) {
                    let end = offset + form.count
                    if !next.contains(end) { next.append(end) }
                }
            }
            if next.isEmpty { return [] }
            reachable = next
        }
        return reachable
    }

    /// Offsets in `bytes` at which a match of the whole pattern, anchored at the end, can start.
    private func reachableStarts(in bytes: UnsafeBufferPointer<UInt8>) -> [Int] {
        var reachable = [bytes.count]
        for characterForms in forms.reversed() {
            var next: [Int] = []
            for offset in reachable {
                for form in characterForms where offset >= form.count {
                    let start = offset - form.count
                    if Self.bytes(bytes, at: start, startWith: form), !next.contains(start) { next.append(start) }
                }
            }
            if next.isEmpty { return [] }
            reachable = next
        }
        return reachable
    }

    private static func bytes(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, startWith form: [UInt8]) -> Bool {
        guard offset >= 0, bytes.count - offset >= form.count else { return false }
        for index in 0..<form.count where bytes[offset + index] != form[index] {
            return false
        }
        return true
    }

    @inline(__always)
    static func lowerASCII(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }

    /// Runs `body` on the UTF-8 bytes of `value` without copying them when the string is native.
    @inline(__always)
    static func withBytes<R>(of value: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = value.utf8.withContiguousStorageIfAvailable(body) {
            return result
        }
        return Array(value.utf8).withUnsafeBufferPointer(body)
    }
}
