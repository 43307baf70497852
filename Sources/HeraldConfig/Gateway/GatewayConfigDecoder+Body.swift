import HeraldCore

/// A webhook's `body:`: any YAML value, read as a JSON template with `${field}` placeholders.
extension GatewayConfigDecoder {
    mutating func decodeBody(_ node: YAMLNode, context: String) -> BodyTemplate? {
        guard !node.isScalarValue else {
            log.error(node.start, "'body' of \(context) must be a mapping or a list, not \(node.typeDescription)",
                      hint: "write the JSON document the receiver expects, e.g. 'body: {to: \"${recipient.address}\", message: \"${text}\"}'")
            return nil
        }
        let errorsBefore = log.diagnostics.count
        let root = bodyNode(node, context: context)
        guard log.diagnostics.count == errorsBefore else { return nil }
        return BodyTemplate(root: root)
    }

    private mutating func bodyNode(_ node: YAMLNode, context: String) -> BodyTemplate.Node {
        switch node.kind {
        case .scalar(let scalar):
            guard case .string(let text) = scalar.value, text.contains("${") else { return .value(scalar.value) }
            do {
                let pieces = try BodyTemplate.pieces(of: text)
                let literals = pieces.compactMap { if case .literal(let literal) = $0 { literal } else { nil } }
                if literals.count == pieces.count { return .value(.string(literals.joined())) }
                return .string(pieces)
            } catch {
                log.error(node.mark(ofCharacter: error.offset, sourceLines: sourceLines), "'body' of \(context): \(error.message)", hint: error.hint)
                return .value(.null)
            }
        case .sequence(let items):
            return .array(items.map { bodyNode($0, context: context) })
        case .mapping(let entries):
            return .object(entries.map { (key: $0.key.keyText, node: bodyNode($0.value, context: context)) })
        }
    }
}

extension YAMLNode {
    var isScalarValue: Bool { if case .scalar = kind { return true } else { return false } }
}
