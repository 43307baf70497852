import HeraldCore

extension YAMLNode {
    /// The document as JSON: mappings become objects, sequences arrays, scalars their value.
    ///
    /// Keys are the key scalars' text (`1: x` gives the key "1", `null: x` the key "null"). Of
    /// duplicate keys the last value wins, at the place of the first; the rule decoder reports
    /// duplicates from the tree itself.
    public func toJSON() -> JSONValue {
        switch kind {
        case .scalar(let scalar):
            return scalar.value
        case .sequence(let items):
            return .array(items.map { $0.toJSON() })
        case .mapping(let entries):
            var members: [JSONObject.Member] = []
            members.reserveCapacity(entries.count)
            var positions: [String: Int] = [:]  // keeps duplicate handling linear
            for entry in entries {
                let key = entry.key.keyText
                let value = entry.value.toJSON()
                if let position = positions[key] {
                    members[position].value = value
                } else {
                    positions[key] = members.count
                    members.append(JSONObject.Member(key: key, value: value))
                }
            }
            return .object(JSONObject(members))
        }
    }

    /// The node that `pointer` designates in ``toJSON()``: for a key, the entry's *value* node
    /// (the last entry of duplicates, as in `toJSON()`), for an index the element. Nil when the
    /// path does not exist.
    ///
    /// Like JSON pointer text, components are matched leniently: `.index(2)` finds the key "2"
    /// in a mapping, and `.key("2")` the element 2 of a sequence.
    public func node(at pointer: JSONPointer) -> YAMLNode? {
        var node = self
        for component in pointer.components {
            guard let entry = node.child(component) else { return nil }
            node = entry.value
        }
        return node
    }

    /// The *key* node of the mapping entry that `pointer`'s last component names, or nil when
    /// that component is an array index, the path does not exist, or the pointer is the root.
    /// Errors about a key itself (unknown, duplicate, misspelt) point here.
    public func keyNode(at pointer: JSONPointer) -> YAMLNode? {
        guard let last = pointer.components.last,
            let parent = node(at: JSONPointer(Array(pointer.components.dropLast())))
        else { return nil }
        return parent.child(last)?.key
    }

    /// The deepest node on `pointer`'s path that exists: the node itself when it does, else its
    /// nearest ancestor. For placing an error about a missing member at its parent.
    public func closestNode(at pointer: JSONPointer) -> YAMLNode {
        var node = self
        for component in pointer.components {
            guard let entry = node.child(component) else { break }
            node = entry.value
        }
        return node
    }

    /// The key scalar's text ("" for a non-scalar key, which the parser never produces).
    var keyText: String {
        if case .scalar(let scalar) = kind { return scalar.text }
        return ""
    }

    /// The child a pointer component selects, with its key node for mapping entries.
    private func child(_ component: JSONPointer.Component) -> (key: YAMLNode?, value: YAMLNode)? {
        switch (kind, component) {
        case (.mapping(let entries), .key(let key)):
            return Self.lastEntry(in: entries, key: key)
        case (.mapping(let entries), .index(let index)):
            return Self.lastEntry(in: entries, key: String(index))
        case (.sequence(let items), .index(let index)):
            return items.indices.contains(index) ? (nil, items[index]) : nil
        case (.sequence(let items), .key(let key)):
            guard let index = Int(key), String(index) == key, items.indices.contains(index) else { return nil }
            return (nil, items[index])
        case (.scalar, _):
            return nil
        }
    }

    private static func lastEntry(in entries: [YAMLEntry], key: String) -> (key: YAMLNode?, value: YAMLNode)? {
        guard let entry = entries.last(where: { $0.key.keyText == key }) else { return nil }
        return (entry.key, entry.value)
    }
}
