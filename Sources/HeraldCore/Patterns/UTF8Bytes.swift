/// Byte-level operations on UTF-8 text, for matching. EventBridge compares strings byte for byte,
/// and so do these: no Unicode normalization (unlike `String`'s `==`), and no per-character
/// iteration, so an exact or prefix comparison costs about one machine word per 8 bytes.
enum UTF8Bytes {
    /// Runs `body` on the UTF-8 bytes of `value`, without copying them when the string is native
    /// (small strings are copied to the stack).
    @inline(__always)
    static func with<R>(_ value: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = value.utf8.withContiguousStorageIfAvailable(body) {
            return result
        }
        return Array(value.utf8).withUnsafeBufferPointer(body)
    }

    /// Whether `a` and `b` hold the same bytes.
    @inline(__always)
    static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        a.count == b.count && sameBytes(a, b, count: a.count)
    }

    /// Whether the first `count` bytes of `a` and `b` (both at least that long) are the same.
    static func sameBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>, count: Int) -> Bool {
        guard count > 0, let left = a.baseAddress, let right = b.baseAddress else { return true }
        let x = UnsafeRawPointer(left)
        let y = UnsafeRawPointer(right)
        var offset = 0
        while offset + 8 <= count {
            if x.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                != y.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            {
                return false
            }
            offset += 8
        }
        while offset < count {
            if left[offset] != right[offset] { return false }
            offset += 1
        }
        return true
    }

    /// Whether two strings hold the same UTF-8 bytes (canonically equivalent spellings differ).
    static func equal(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        return with(a) { left in with(b) { right in equal(left, right) } }
    }

    /// Whether `value`'s UTF-8 bytes are `bytes`.
    static func equal(_ value: String, _ bytes: [UInt8]) -> Bool {
        guard value.utf8.count == bytes.count else { return false }
        return with(value) { left in bytes.withUnsafeBufferPointer { right in equal(left, right) } }
    }

    /// Whether `value`'s UTF-8 bytes start with `prefix`.
    static func hasPrefix(_ value: String, _ prefix: [UInt8]) -> Bool {
        guard value.utf8.count >= prefix.count else { return false }
        return with(value) { bytes in
            prefix.withUnsafeBufferPointer { prefix in sameBytes(bytes, prefix, count: prefix.count) }
        }
    }

    /// Whether `value`'s UTF-8 bytes end with `suffix`.
    static func hasSuffix(_ value: String, _ suffix: [UInt8]) -> Bool {
        guard value.utf8.count >= suffix.count else { return false }
        return with(value) { bytes in
            suffix.withUnsafeBufferPointer { suffix in
                sameBytes(UnsafeBufferPointer(rebasing: bytes[(bytes.count - suffix.count)...]), suffix, count: suffix.count)
            }
        }
    }

    /// A fast 64-bit hash of `bytes`, mixed with `seed`; a word at a time. Not a defence against
    /// chosen collisions, and it need not be: it only indexes tables built from the rules, so an
    /// event's bytes choose which slots are probed but never how full they are.
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt64) -> UInt64 {
        let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
        var hash = (seed &+ UInt64(bytes.count)) &* multiplier
        guard let base = bytes.baseAddress else { return mix(hash) }
        let raw = UnsafeRawPointer(base)
        let count = bytes.count
        var offset = 0
        while offset + 8 <= count {
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* multiplier
            hash ^= hash >> 32
            offset += 8
        }
        if offset < count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while offset < count {
                tail |= UInt64(base[offset]) << shift
                shift += 8
                offset += 1
            }
            hash = (hash ^ tail) &* multiplier
        }
        return mix(hash)
    }

    /// SplitMix64's finalizer, so that every input bit reaches the low bits used as a table slot.
    @inline(__always)
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
