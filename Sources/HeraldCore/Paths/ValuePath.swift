/// A reference to one value inside an event: an RFC 9535 JSONPath *singular query*.
///
/// Rules use paths wherever a value comes from the event rather than from the rule itself:
/// `$.data.amount`, `$.items[0].sku`, `$['odd key']`, `$.tags[-1]`. Under `for_each`, `@` is the
/// current element of the fan-out (`@.phone`). A singular query names at most one value, so the
/// non-singular parts of JSONPath (wildcards, slices, filters, `..`, unions) are refused when the
/// rule is loaded instead of silently picking one of many values at send time.
///
/// Parse once, resolve many times: `resolve(event:element:)` walks the segments without allocating.
public struct ValuePath: Sendable, Hashable, CustomStringConvertible {
    /// Where a path starts.
    public enum Root: Sendable, Hashable {
        /// `$`: the whole event.
        case event
        /// `@`: the current element of a `for_each` fan-out.
        case element
    }

    /// One step from a value to one of its children.
    public enum Segment: Sendable, Hashable {
        /// An object member: `.name` or `['name']`.
        case key(String)
        /// An array element; negative indexes count from the end (`-1` is the last element).
        case index(Int)
    }

    public var root: Root
    public var segments: [Segment]

    public init(root: Root, segments: [Segment] = []) {
        self.root = root
        self.segments = segments
    }

    /// Parses RFC 9535 singular-query text: `$`, `$.a.b`, `$.a[0]`, `$['odd key']`, `$["x"][-1]`, `@.name`.
    public init(parsing text: String) throws(ValuePathError) {
        var parser = ValuePathParser(text: text)
        self = try parser.parse()
    }

    /// The value the path names, or nil when it is missing: a member that is absent, an index out of
    /// range, a step into a value of the wrong type, or an `@` path with no current element.
    public func resolve(event: JSONValue, element: JSONValue?) -> JSONValue? {
        var current: JSONValue
        switch root {
        case .event:
            current = event
        case .element:
            guard let element else { return nil }
            current = element
        }
        for segment in segments {
            switch segment {
            case .key(let key):
                guard case .object(let object) = current, let child = object[key] else { return nil }
                current = child
            case .index(let index):
                guard let child = current[index] else { return nil }
                current = child
            }
        }
        return current
    }

    /// Canonical text that parses back to an equal path: member-name shorthand where the key allows
    /// it (`.amount`), otherwise a single-quoted key with RFC 9535 normalized-path escapes
    /// (`['odd key']`, `['it\'s']`), and indexes in brackets (`[0]`, `[-1]`).
    public var description: String {
        var text = root == .event ? "$" : "@"
        for segment in segments {
            switch segment {
            case .key(let key):
                if ValuePath.isMemberNameShorthand(key) {
                    text += "."
                    text += key
                } else {
                    text += "['"
                    ValuePath.appendEscaped(key, to: &text)
                    text += "']"
                }
            case .index(let index):
                text += "[\(index)]"
            }
        }
        return text
    }
}

extension ValuePath {
    /// Whether a rule string is meant as a path rather than a literal: it starts with `$.`, `$[`,
    /// `@.` or `@[`, or is exactly `$` or `@`. Everything else is literal text, so `$5 off` stays text.
    public static func looksLikePath(_ text: String) -> Bool {
        var bytes = text.utf8.makeIterator()
        guard let first = bytes.next(), first == UInt8(ascii: "$") || first == UInt8(ascii: "@") else {
            return false
        }
        guard let second = bytes.next() else { return true }
        return second == UInt8(ascii: ".") || second == UInt8(ascii: "[")
    }

    /// RFC 9535 `name-first`: ALPHA / "_" / %x80-D7FF / %xE000-10FFFF (Swift scalars are never surrogates).
    static func isNameFirst(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x41...0x5A, 0x61...0x7A, 0x5F: true
        case 0x80...: true
        default: false
        }
    }

    /// RFC 9535 `name-char`: `name-first` or a digit.
    static func isNameChar(_ scalar: Unicode.Scalar) -> Bool {
        isNameFirst(scalar) || (0x30...0x39).contains(scalar.value)
    }

    /// Whether `key` can be written as `.key`.
    static func isMemberNameShorthand(_ key: String) -> Bool {
        var scalars = key.unicodeScalars.makeIterator()
        guard let first = scalars.next(), isNameFirst(first) else { return false }
        while let scalar = scalars.next() {
            guard isNameChar(scalar) else { return false }
        }
        return true
    }

    /// Escapes a key for `['…']` the way RFC 9535 normalized paths do.
    static func appendEscaped(_ key: String, to text: inout String) {
        for scalar in key.unicodeScalars {
            switch scalar {
            case "'": text += "\\'"
            case "\\": text += "\\\\"
            case "\u{08}": text += "\\b"
            case "\u{0C}": text += "\\f"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                text += "\\u00" + (hex.count < 2 ? "0" + hex : hex)
            default:
                text.unicodeScalars.append(scalar)
            }
        }
    }
}
