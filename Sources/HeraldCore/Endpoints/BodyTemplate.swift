/// The JSON body a `webhook` endpoint sends, shaped by the admin (`body:` in herald.yaml).
///
/// The template is any JSON value. Strings may hold `${field}` placeholders:
/// - a string that is exactly one placeholder becomes the field's value with its JSON type
///   (`amount: ${params.amount}` gives `{"money":…,"currency":…}`, `buttons: ${buttons}` an array);
/// - placeholders inside a longer string are replaced by their text (`"ref-${delivery_id}"`);
///   objects and arrays there become their compact JSON, null becomes nothing;
/// - `$${` is a literal `${`.
/// Object keys are taken as they are.
public struct BodyTemplate: Sendable, Hashable {
    /// What a placeholder can name.
    public enum Field: Sendable, Hashable, CustomStringConvertible {
        case deliveryID, eventID, rule, element, channel, template
        case recipientAddress, recipientLocale, recipientTimezone
        /// The locale of the text used, and the one numbers and dates were formatted in.
        case locale, formattingLocale
        case text
        /// Every param as an object, or one by name.
        case params, param(String)
        /// `[{"id":…,"title":…}]`, the reply buttons in the text's locale.
        case buttons

        public static let names: [String: Field] = [
            "delivery_id": .deliveryID, "event_id": .eventID, "rule": .rule, "element": .element, "channel": .channel,
            "template": .template, "recipient.address": .recipientAddress, "recipient.locale": .recipientLocale,
            "recipient.timezone": .recipientTimezone, "locale": .locale, "formatting_locale": .formattingLocale,
            "text": .text, "params": .params, "buttons": .buttons,
        ]

        public init?(name: String) {
            if let field = Field.names[name] {
                self = field
            } else if name.hasPrefix("params."), case let param = String(name.dropFirst("params.".count)),
                      param.first.map({ $0.isLetter || $0 == "_" }) == true,
                      param.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
                self = .param(param)
            } else {
                return nil
            }
        }

        public var description: String {
            if case .param(let name) = self { return "params.\(name)" }
            return Field.names.first { $0.value == self }?.key ?? "?"
        }
    }

    /// One piece of a string.
    public enum Piece: Sendable, Hashable {
        case literal(String)
        case field(Field)
    }

    public indirect enum Node: Sendable, Hashable {
        /// A value with no placeholders.
        case value(JSONValue)
        case string([Piece])
        case array([Node])
        case object([(key: String, node: Node)])

        public static func == (lhs: Node, rhs: Node) -> Bool {
            switch (lhs, rhs) {
            case (.value(let a), .value(let b)): a == b
            case (.string(let a), .string(let b)): a == b
            case (.array(let a), .array(let b)): a == b
            case (.object(let a), .object(let b)): a.elementsEqual(b) { $0.key == $1.key && $0.node == $1.node }
            default: false
            }
        }

        public func hash(into hasher: inout Hasher) {
            switch self {
            case .value(let value): hasher.combine(0); hasher.combine(value)
            case .string(let pieces): hasher.combine(1); hasher.combine(pieces)
            case .array(let nodes): hasher.combine(2); hasher.combine(nodes)
            case .object(let members):
                hasher.combine(3)
                for member in members { hasher.combine(member.key); hasher.combine(member.node) }
            }
        }
    }

    /// A placeholder that names nothing Herald knows, or is not closed.
    public struct ParseError: Error, Sendable, Hashable {
        /// Character offset in the string.
        public var offset: Int
        public var message: String
        public var hint: String
    }

    public var root: Node

    public init(root: Node) {
        self.root = root
    }

    /// The fields the template uses anywhere.
    public var fields: [Field] {
        func collect(_ node: Node) -> [Field] {
            switch node {
            case .value: []
            case .string(let pieces): pieces.compactMap { if case .field(let field) = $0 { field } else { nil } }
            case .array(let nodes): nodes.flatMap(collect)
            case .object(let members): members.flatMap { collect($0.node) }
            }
        }
        return collect(root)
    }

    /// Splits a string into literal text and placeholders.
    public static func pieces(of text: String) throws(ParseError) -> [Piece] {
        var pieces: [Piece] = []
        var literal = ""
        var characters = Array(text)[...]
        var offset = 0
        while let character = characters.first {
            if character == "$", characters.dropFirst().first == "$", characters.dropFirst(2).first == "{" {
                literal += "${"
                characters = characters.dropFirst(3)
                offset += 3
                continue
            }
            guard character == "$", characters.dropFirst().first == "{" else {
                literal.append(character)
                characters = characters.dropFirst()
                offset += 1
                continue
            }
            guard let close = characters.firstIndex(of: "}") else {
                throw ParseError(offset: offset, message: "'${' is not closed", hint: "write ${text}, or $${ for a literal '${'")
            }
            let name = String(characters[characters.index(characters.startIndex, offsetBy: 2)..<close]).trimmingSpaces
            guard let field = Field(name: name) else {
                let known = Field.names.keys.sorted() + ["params.NAME"]
                throw ParseError(offset: offset, message: "unknown placeholder '${\(name)}'",
                                 hint: Suggestion.closest(to: name, among: known).map { "did you mean '${\($0)}'?" }
                                     ?? "use one of \(known.map { "${\($0)}" }.joined(separator: ", "))")
            }
            if !literal.isEmpty { pieces.append(.literal(literal)) }
            literal = ""
            pieces.append(.field(field))
            offset += characters.distance(from: characters.startIndex, to: close) + 1
            characters = characters[characters.index(after: close)...]
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        return pieces
    }

    /// The body for one message: `value` gives each field's value (nil for an absent one, sent as null).
    public func render(_ value: (Field) -> JSONValue?) -> JSONValue {
        func render(_ node: Node) -> JSONValue {
            switch node {
            case .value(let value):
                return value
            case .string(let pieces):
                if pieces.count == 1, case .field(let field) = pieces[0] { return value(field) ?? .null }
                var text = ""
                for piece in pieces {
                    switch piece {
                    case .literal(let literal): text += literal
                    case .field(let field):
                        switch value(field) ?? .null {
                        case .null: continue
                        case .string(let string): text += string
                        case let other: text += other.compactJSON
                        }
                    }
                }
                return .string(text)
            case .array(let nodes):
                return .array(nodes.map(render))
            case .object(let members):
                return .object(JSONObject(members.map { JSONObject.Member(key: $0.key, value: render($0.node)) }))
            }
        }
        return render(root)
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
