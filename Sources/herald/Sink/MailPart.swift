import Foundation

/// One MIME entity (RFC 2045): its header fields, unfolded, and its body as sent. A whole message
/// is one; so is each part of a `multipart/*` body.
struct MailPart: Sendable {
    /// The header fields in order, names as written, values without the line breaks of folding.
    var fields: [(name: String, value: String)]
    /// The body: everything after the empty line that ends the header.
    var body: [UInt8]

    /// Splits `data` (CRLF or LF line ends) into header fields and body. Lines that are not fields
    /// are skipped; without an empty line, everything is header.
    init(_ data: ArraySlice<UInt8>) {
        fields = []
        body = []
        var start = data.startIndex
        while start < data.endIndex {
            let end = data[start...].firstIndex(of: 0x0A) ?? data.endIndex
            var line = data[start..<end]
            if line.last == 0x0D { line = line.dropLast() }
            start = end < data.endIndex ? end + 1 : end
            if line.isEmpty {
                body = Array(data[start...])
                return
            }
            let text = String(decoding: line, as: UTF8.self)
            if line.first == 0x20 || line.first == 0x09 {
                // A folded line continues the field above (RFC 5322 §2.2.3): unfolding drops only the line break.
                if !fields.isEmpty { fields[fields.count - 1].value += text }
            } else if let colon = text.firstIndex(of: ":") {
                fields.append((String(text[..<colon]).trimmingCharacters(in: .whitespaces), String(text[text.index(after: colon)...])))
            }
        }
    }

    init(_ data: [UInt8]) {
        self.init(data[...])
    }

    /// The first field named `name` (any case), without surrounding white space.
    func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return fields.first { $0.name.lowercased() == wanted }.map { $0.value.trimmingCharacters(in: .whitespaces) }
    }

    /// `type/subtype` from `Content-Type`, lower case; `text/plain` without one (RFC 2045 §5.2).
    var mediaType: String {
        guard let value = header("Content-Type") else { return "text/plain" }
        let type = value.prefix { $0 != ";" }.trimmingCharacters(in: .whitespaces).lowercased()
        return type.isEmpty ? "text/plain" : type
    }

    /// The `Content-Type` parameters (`charset`, `boundary`), names lower case, quotes removed.
    var parameters: [String: String] {
        guard let value = header("Content-Type") else { return [:] }
        var parameters: [String: String] = [:]
        for item in Self.splitParameters(value).dropFirst() {
            guard let equals = item.firstIndex(of: "=") else { continue }
            let name = item[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var parameter = item[item.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if parameter.count >= 2, parameter.hasPrefix("\""), parameter.hasSuffix("\"") {
                parameter = String(parameter.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            if parameters[name] == nil { parameters[name] = parameter }
        }
        return parameters
    }

    /// The parts of a multipart body (RFC 2046 §5.1.1): the text between `--boundary` lines, up to
    /// `--boundary--`. The line break before each delimiter belongs to the delimiter.
    func subparts(boundary: String) -> [MailPart] {
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [MailPart] = []
        var partStart: Int?
        var start = body.startIndex
        while start < body.endIndex {
            let end = body[start...].firstIndex(of: 0x0A) ?? body.endIndex
            let line = body[start..<end]
            if line.starts(with: delimiter) {
                let rest = line.dropFirst(delimiter.count)
                let closes = rest.starts(with: Array("--".utf8))
                if closes || rest.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                    if let partStart {
                        var content = body[partStart..<start]
                        if content.last == 0x0A { content = content.dropLast() }
                        if content.last == 0x0D { content = content.dropLast() }
                        parts.append(MailPart(content))
                    }
                    if closes { return parts }
                    partStart = end < body.endIndex ? end + 1 : end
                }
            }
            start = end < body.endIndex ? end + 1 : end
        }
        return parts
    }

    /// `text/plain; charset="a;b"; format=flowed` → the type and each parameter, at `;` outside quotes.
    static func splitParameters(_ value: String) -> [String] {
        var items: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in value {
            if escaped {
                escaped = false
            } else if character == "\\" && quoted {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if character == ";" && !quoted {
                items.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        items.append(current)
        return items
    }
}
