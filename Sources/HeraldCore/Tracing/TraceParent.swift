/// A W3C Trace Context (<https://www.w3.org/TR/trace-context/>): the `traceparent` header, and the
/// `tracestate` that travels with it, as Herald receives it from a sender, keeps it with a delivery
/// and passes it on to webhooks and reply callbacks.
///
/// `traceparent` is `VERSION-TRACEID-PARENTID-FLAGS`: `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`,
/// lower-case hex, a trace id of 32 digits and a parent (span) id of 16, neither all zeros, and the
/// flags, whose lowest bit says the sender records (samples) the trace.
///
/// Only a well-formed header is taken: anything else is dropped, as the specification says,
/// so what Herald stores and sends on is always a valid `traceparent` of version `00`. A header of a
/// later version is read by its version-00 prefix, as the specification allows.
public struct TraceParent: Sendable, Hashable, CustomStringConvertible {
    /// The `traceparent` header, version `00`, 55 characters.
    public let header: String
    /// The `tracestate` header as received (vendors' entries), or nil when there was none or it
    /// was not printable ASCII of at most 512 characters.
    public let state: String?

    /// The most `tracestate` Herald keeps (the specification's 32 entries fit comfortably).
    public static let maxStateLength = 512

    /// Reads a `traceparent` header (surrounding spaces and tabs allowed), with its `tracestate`.
    /// Nil when `header` is not a valid traceparent.
    public init?(header: String, state: String? = nil) {
        var bytes = Array(header.utf8)
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes.removeLast() }
        let start = bytes.firstIndex { $0 != 0x20 && $0 != 0x09 } ?? bytes.endIndex
        bytes.removeFirst(start)
        guard bytes.count >= 55 else { return nil }
        // version "ff" is forbidden; a version above 00 may carry more after a dash.
        guard Self.isHex(bytes[0..<2]), !(bytes[0] == UInt8(ascii: "f") && bytes[1] == UInt8(ascii: "f")) else { return nil }
        let isVersion00 = bytes[0] == UInt8(ascii: "0") && bytes[1] == UInt8(ascii: "0")
        if isVersion00 { guard bytes.count == 55 else { return nil } } else if bytes.count > 55 {
            guard bytes[55] == UInt8(ascii: "-") else { return nil }
        }
        guard bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"), bytes[52] == UInt8(ascii: "-") else { return nil }
        let traceID = bytes[3..<35], parentID = bytes[36..<52], flags = bytes[53..<55]
        guard Self.isHex(traceID), Self.isHex(parentID), Self.isHex(flags),
              traceID.contains(where: { $0 != UInt8(ascii: "0") }), parentID.contains(where: { $0 != UInt8(ascii: "0") }) else { return nil }
        self.header = "00-" + String(decoding: bytes[3..<55], as: UTF8.self)
        self.state = state.flatMap(Self.validState)
    }

    /// A context made of its parts (lower-case hex): `traceID` of 32 digits, `spanID` of 16.
    public init?(traceID: String, spanID: String, sampled: Bool, state: String? = nil) {
        self.init(header: "00-\(traceID)-\(spanID)-\(sampled ? "01" : "00")", state: state)
    }

    /// The trace id: 32 lower-case hex digits.
    public var traceID: Substring { header.dropFirst(3).prefix(32) }
    /// The id of the span this context names as the parent of the next one: 16 lower-case hex digits.
    public var spanID: Substring { header.dropFirst(36).prefix(16) }
    /// Whether the trace is recorded (the `sampled` flag).
    public var isSampled: Bool {
        guard let flags = UInt8(header.suffix(2), radix: 16) else { return false }
        return flags & 1 == 1
    }

    public var description: String { header }

    /// The headers an outbound request carries: `traceparent`, and `tracestate` when there is one.
    public var headers: [(name: String, value: String)] {
        [("traceparent", header)] + (state.map { [("tracestate", $0)] } ?? [])
    }

    private static func isHex(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    private static func validState(_ text: String) -> String? {
        let trimmed = text.trimmingSpaces
        guard !trimmed.isEmpty, trimmed.utf8.count <= maxStateLength, trimmed.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else { return nil }
        return trimmed
    }
}

extension TraceParent {
    /// As stored with a delivery's message: `{"parent":"00-…","state":"…"}` (`state` only when there is one).
    public var storedJSON: JSONValue {
        var object = JSONObject()
        object["parent"] = .string(header)
        if let state { object["state"] = .string(state) }
        return .object(object)
    }

    /// Reads ``storedJSON``; nil when `json` is absent or not a valid trace context.
    public init?(stored json: JSONValue?) {
        guard let json, let parent = json["parent"]?.stringValue else { return nil }
        self.init(header: parent, state: json["state"]?.stringValue)
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (HTTP's optional white space).
    fileprivate var trimmingSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
