import HeraldCore

/// Builds a ``YAMLNode`` tree from parser events, enforcing ``YAMLLimits`` as it goes.
///
/// Pure: it sees only events and marks, so every limit is checked *before* the node that would
/// break it is built. Decisions made here:
/// - Aliases copy the anchored node (a cheap copy-on-write share) and add its full size to the
///   node budget. The copy's own start/end are moved to the alias, so an error about the
///   aliased value points at the alias; nodes inside keep the marks of the anchored original.
/// - An alias must follow its anchor; an alias inside the node its anchor names is recursion,
///   reported as such.
/// - `<<` merge keys (YAML 1.1, still common for sharing defaults) are supported: the value
///   must be a mapping or a list of mappings (usually aliases); their entries are added in place
///   of the `<<` entry unless the mapping has the key itself, and earlier sources win over later
///   ones. A quoted `"<<"` or `!!str <<` key is an ordinary key.
/// - Keys must be scalars. Duplicate keys are kept as separate entries.
struct YAMLTreeBuilder {
    let limits: YAMLLimits
    /// The document's root once its last event is handled; nil for a file without a document.
    private(set) var root: YAMLNode?

    /// A finished node with what it costs.
    private struct Subtree {
        var node: YAMLNode
        /// Nodes in it, aliases expanded.
        var size: Int
        /// Collections nested in it, itself included (0 for a scalar).
        var height: Int
        var isMergeKey = false
    }

    private struct OpenCollection {
        var isMapping: Bool
        var start: SourceMark
        var anchor: String?
        var items: [YAMLNode] = []
        var entries: [YAMLEntry] = []
        /// Indexes into `entries` of `<<` entries.
        var mergeEntries: [Int] = []
        /// A mapping's key waiting for its value.
        var pendingKey: Subtree?
        var size = 1
        var childHeight = 0

        var expectsKey: Bool { isMapping && pendingKey == nil }
    }

    private var open: [OpenCollection] = []
    private var anchors: [String: Subtree] = [:]
    private var nodeCount = 0
    private var documentCount = 0

    init(limits: YAMLLimits) {
        self.limits = limits
    }

    mutating func handle(_ event: YAMLEvent, start: SourceMark, end: SourceMark) throws(YAMLError) {
        switch event {
        case .streamStart, .streamEnd, .documentEnd:
            break
        case .documentStart:
            documentCount += 1
            if documentCount > 1 {
                throw YAMLError(
                    mark: start,
                    message: "a second document starts at line \(start.line); a file may hold only one",
                    hint: "remove the '---' (or '...') line, or move the second document into a file of its own"
                )
            }
        case .scalar(let text, let style, let anchor, let tagText):
            try scalar(text, style: style, anchor: anchor, tag: YAMLTag(tagText), start: start, end: end)
        case .alias(let name):
            try alias(name, start: start, end: end)
        case .sequenceStart(let anchor, let tag):
            try openCollection(isMapping: false, anchor: anchor, tag: YAMLTag(tag), start: start)
        case .mappingStart(let anchor, let tag):
            try openCollection(isMapping: true, anchor: anchor, tag: YAMLTag(tag), start: start)
        case .sequenceEnd, .mappingEnd:
            try closeCollection(end: end)
        }
    }

    // MARK: - Events

    private mutating func scalar(
        _ text: String, style: YAMLScalar.Style, anchor: String?, tag: YAMLTag, start: SourceMark, end: SourceMark
    ) throws(YAMLError) {
        let byteCount = text.utf8.count
        if byteCount > limits.maxScalarBytes {
            throw YAMLError(
                mark: start,
                message: "value is \(byteCount) bytes long; the limit is \(limits.maxScalarBytes)",
                hint: "check for an unclosed quote or block scalar that swallows the rest of the file"
            )
        }
        try count(1, at: start, alias: nil)
        let atKey = open.last?.expectsKey ?? false
        var isMergeKey = false
        let value: JSONValue
        if tag == .merge {
            guard atKey else { throw tag.unsupportedError(at: start, on: "value") }
            isMergeKey = true
            value = .string(text)
        } else {
            value = try YAMLScalarResolver.resolve(text, style: style, tag: tag, at: start)
            isMergeKey = atKey && tag == .none && style == .plain && text == "<<"
        }
        let node = YAMLNode(kind: .scalar(YAMLScalar(text: text, style: style, value: value)), start: start, end: end)
        let subtree = Subtree(node: node, size: 1, height: 0, isMergeKey: isMergeKey)
        if let anchor { anchors[anchor] = subtree }
        try add(subtree)
    }

    private mutating func alias(_ name: String, start: SourceMark, end: SourceMark) throws(YAMLError) {
        guard var subtree = anchors[name] else {
            if open.contains(where: { $0.anchor == name }) {
                throw YAMLError(
                    mark: start,
                    message: "alias *\(name) refers to a node that contains it",
                    hint: "recursive structures are not supported; repeat the values instead"
                )
            }
            throw YAMLError(
                mark: start,
                message: "alias *\(name) refers to no anchor defined before it",
                hint: "an alias can only repeat a node marked '&\(name)' earlier in the file; check the spelling"
            )
        }
        if open.count + subtree.height > limits.maxDepth {
            throw YAMLError(
                mark: start,
                message: "alias *\(name) nests the document deeper than \(limits.maxDepth) levels",
                hint: "use the alias at a shallower place"
            )
        }
        try count(subtree.size, at: start, alias: name)
        subtree.node.start = start
        subtree.node.end = end
        subtree.isMergeKey = false
        try add(subtree)
    }

    private mutating func openCollection(
        isMapping: Bool, anchor: String?, tag: YAMLTag, start: SourceMark
    ) throws(YAMLError) {
        if open.last?.expectsKey == true { throw Self.complexKey(at: start) }
        switch tag {
        case .none, .nonSpecific: break
        case .map where isMapping: break
        case .seq where !isMapping: break
        default: throw tag.unsupportedError(at: start, on: isMapping ? "mapping" : "list")
        }
        if open.count + 1 > limits.maxDepth {
            throw YAMLError(
                mark: start,
                message: "nesting is deeper than \(limits.maxDepth) levels",
                hint: "rule files never need this much nesting; look for runaway indentation or unclosed brackets"
            )
        }
        try count(1, at: start, alias: nil)
        open.append(OpenCollection(isMapping: isMapping, start: start, anchor: anchor))
    }

    private mutating func closeCollection(end: SourceMark) throws(YAMLError) {
        guard let collection = open.popLast() else { return }  // libyaml pairs start and end events
        let kind: YAMLNode.Kind
        if collection.isMapping {
            kind = .mapping(try Self.merged(collection))
        } else {
            kind = .sequence(collection.items)
        }
        let node = YAMLNode(kind: kind, start: collection.start, end: end)
        let subtree = Subtree(node: node, size: collection.size, height: collection.childHeight + 1)
        if let anchor = collection.anchor { anchors[anchor] = subtree }
        try add(subtree)
    }

    // MARK: - Building

    private mutating func add(_ subtree: Subtree) throws(YAMLError) {
        guard !open.isEmpty else {
            root = subtree.node
            return
        }
        let top = open.count - 1
        open[top].size += subtree.size
        open[top].childHeight = max(open[top].childHeight, subtree.height)
        if !open[top].isMapping {
            open[top].items.append(subtree.node)
        } else if let key = open[top].pendingKey {
            if key.isMergeKey { open[top].mergeEntries.append(open[top].entries.count) }
            open[top].entries.append(YAMLEntry(key: key.node, value: subtree.node))
            open[top].pendingKey = nil
        } else {
            // Only an alias to a collection gets here; a collection written as a key is refused
            // when it opens.
            guard case .scalar = subtree.node.kind else { throw Self.complexKey(at: subtree.node.start) }
            open[top].pendingKey = subtree
        }
    }

    private mutating func count(_ nodes: Int, at mark: SourceMark, alias: String?) throws(YAMLError) {
        nodeCount += nodes
        guard nodeCount > limits.maxNodes else { return }
        if let alias {
            throw YAMLError(
                mark: mark,
                message: "alias *\(alias) expands the document past \(limits.maxNodes) nodes",
                hint: "each alias repeats the whole node it names, so aliases of aliases multiply "
                    + "(a \"billion laughs\" document); repeat less, or split the file"
            )
        }
        throw YAMLError(
            mark: mark,
            message: "the document has more than \(limits.maxNodes) nodes",
            hint: "split the rules across several files"
        )
    }

    private static func complexKey(at mark: SourceMark) -> YAMLError {
        YAMLError(
            mark: mark,
            message: "mapping keys must be scalars",
            hint: "a list or mapping cannot be a key; write a plain text key (quote it if it starts with '[' or '{')"
        )
    }

    /// The mapping's entries with `<<` entries replaced by the entries they merge in.
    private static func merged(_ mapping: OpenCollection) throws(YAMLError) -> [YAMLEntry] {
        guard !mapping.mergeEntries.isEmpty else { return mapping.entries }
        let mergeIndexes = Set(mapping.mergeEntries)
        var present = Set<String>()
        for (index, entry) in mapping.entries.enumerated() where !mergeIndexes.contains(index) {
            if case .scalar(let key) = entry.key.kind { present.insert(key.text) }
        }
        var result: [YAMLEntry] = []
        for (index, entry) in mapping.entries.enumerated() {
            guard mergeIndexes.contains(index) else {
                result.append(entry)
                continue
            }
            let sources: [YAMLNode]
            switch entry.value.kind {
            case .mapping: sources = [entry.value]
            case .sequence(let items): sources = items
            case .scalar: sources = [entry.value]
            }
            for source in sources {
                guard case .mapping(let entries) = source.kind else {
                    throw YAMLError(
                        mark: source.start,
                        message: "a merge key '<<' needs a mapping or a list of mappings",
                        hint: "write '<<: *name' where '&name' marks a mapping; quote the key (\"<<\") if it is meant as text"
                    )
                }
                for merged in entries {
                    guard case .scalar(let key) = merged.key.kind, present.insert(key.text).inserted else { continue }
                    result.append(merged)
                }
            }
        }
        return result
    }
}
