import Foundation

/// The spans of OTLP/HTTP export requests (`POST /v1/traces`, `application/x-protobuf`), read with
/// a small protocol-buffers wire reader: just the fields a test asserts on, from
/// `opentelemetry/proto/collector/trace/v1/trace_service.proto` and `trace/v1/trace.proto`.
///
/// ```
/// ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
/// ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
/// Resource { repeated KeyValue attributes = 1; }
/// ScopeSpans { repeated Span spans = 2; }
/// Span { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4;
///        string name = 5; SpanKind kind = 6; repeated KeyValue attributes = 9; Status status = 15; }
/// Status { string message = 2; StatusCode code = 3; }
/// KeyValue { string key = 1; AnyValue value = 2; }
/// AnyValue { oneof { string string_value = 1; bool bool_value = 2; int64 int_value = 3;
///                    double double_value = 4; ArrayValue array_value = 5; … } }
/// ArrayValue { repeated AnyValue values = 1; }
/// ```
public struct OTLPSpan: Sendable, Hashable {
    public enum Kind: Int, Sendable, Hashable {
        case unspecified = 0, `internal`, server, client, producer, consumer
    }

    /// An attribute's value.
    public enum Value: Sendable, Hashable, CustomStringConvertible {
        case string(String), bool(Bool), int(Int64), double(Double), array([Value]), other

        public var description: String {
            switch self {
            case .string(let text): text
            case .bool(let value): "\(value)"
            case .int(let value): "\(value)"
            case .double(let value): "\(value)"
            case .array(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
            case .other: "(other)"
            }
        }
    }

    /// Lower-case hex, as in a `traceparent`.
    public var traceID: String
    public var spanID: String
    /// Empty for a root span.
    public var parentSpanID: String
    public var name: String
    public var kind: Kind
    public var attributes: [String: Value]
    /// `STATUS_CODE_UNSET` 0, `OK` 1, `ERROR` 2.
    public var statusCode: Int
    /// The resource's attributes (`service.name`, …).
    public var resource: [String: Value]

    /// All spans of one export request's body.
    public static func decode(_ body: [UInt8]) throws -> [OTLPSpan] {
        var spans: [OTLPSpan] = []
        for resourceSpans in try ProtobufFields(body).messages(1) {
            let fields = try ProtobufFields(resourceSpans)
            let resource = try fields.messages(1).first.map { try attributes(ProtobufFields($0).messages(1)) } ?? [:]
            for scopeSpans in fields.messages(2) {
                for span in try ProtobufFields(scopeSpans).messages(2) {
                    spans.append(try OTLPSpan(ProtobufFields(span), resource: resource))
                }
            }
        }
        return spans
    }

    init(_ fields: ProtobufFields, resource: [String: Value]) throws {
        traceID = Self.hex(fields.bytes(1))
        spanID = Self.hex(fields.bytes(2))
        parentSpanID = Self.hex(fields.bytes(4))
        name = String(decoding: fields.bytes(5), as: UTF8.self)
        kind = Kind(rawValue: Int(fields.varint(6))) ?? .unspecified
        attributes = try Self.attributes(fields.messages(9))
        statusCode = try fields.messages(15).first.map { Int(try ProtobufFields($0).varint(3)) } ?? 0
        self.resource = resource
    }

    static func attributes(_ keyValues: [[UInt8]]) throws -> [String: Value] {
        var result: [String: Value] = [:]
        for keyValue in keyValues {
            let fields = try ProtobufFields(keyValue)
            result[String(decoding: fields.bytes(1), as: UTF8.self)] = try fields.messages(2).first.map(value) ?? .other
        }
        return result
    }

    static func value(_ bytes: [UInt8]) throws -> Value {
        let fields = try ProtobufFields(bytes)
        if fields.has(1) { return .string(String(decoding: fields.bytes(1), as: UTF8.self)) }
        if fields.has(2) { return .bool(fields.varint(2) != 0) }
        if fields.has(3) { return .int(Int64(bitPattern: fields.varint(3))) }
        if fields.has(4) { return .double(Double(bitPattern: fields.varint(4))) }
        if fields.has(5) { return .array(try ProtobufFields(fields.bytes(5)).messages(1).map(value)) }
        return .other
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}

/// The fields of one protocol-buffers message, by number: varints and fixed-width numbers as
/// integers, length-delimited fields as their bytes.
struct ProtobufFields {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    private var numbers: [Int: [UInt64]] = [:]
    private var blobs: [Int: [[UInt8]]] = [:]

    init(_ bytes: [UInt8]) throws {
        var index = 0
        func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard index < bytes.count, shift < 64 else { throw Malformed(description: "a varint runs past the end") }
                let byte = bytes[index]
                index += 1
                result |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
        }
        func fixed(_ width: Int) throws -> UInt64 {
            guard index + width <= bytes.count else { throw Malformed(description: "a fixed\(width * 8) runs past the end") }
            var result: UInt64 = 0
            for offset in 0..<width { result |= UInt64(bytes[index + offset]) << (8 * UInt64(offset)) }
            index += width
            return result
        }
        while index < bytes.count {
            let key = try varint()
            let number = Int(key >> 3)
            switch key & 7 {
            case 0: numbers[number, default: []].append(try varint())
            case 1: numbers[number, default: []].append(try fixed(8))
            case 5: numbers[number, default: []].append(try fixed(4))
            case 2:
                let length = Int(try varint())
                guard length >= 0, index + length <= bytes.count else { throw Malformed(description: "field \(number) runs past the end") }
                blobs[number, default: []].append(Array(bytes[index..<index + length]))
                index += length
            case let type: throw Malformed(description: "field \(number) has wire type \(type)")
            }
        }
    }

    func has(_ number: Int) -> Bool { numbers[number] != nil || blobs[number] != nil }
    /// The last value of a number field (protobuf's rule for a repeated scalar), or 0.
    func varint(_ number: Int) -> UInt64 { numbers[number]?.last ?? 0 }
    /// The last value of a bytes or string field, or empty.
    func bytes(_ number: Int) -> [UInt8] { blobs[number]?.last ?? [] }
    /// Every value of a repeated message field.
    func messages(_ number: Int) -> [[UInt8]] { blobs[number] ?? [] }
}
