/// Bounds on what ``YAMLParser`` accepts, so that a hostile or broken rule file costs bounded
/// time and memory.
///
/// The node budget counts every node the tree will hold *after* aliases are expanded: an alias adds
/// the full size of the node it repeats. That is what stops a "billion laughs" document, whose few
/// hundred bytes would expand to billions of nodes, at its first alias past the budget.
public struct YAMLLimits: Sendable, Hashable {
    /// Largest accepted file, in bytes (default 4 MiB).
    public var maxBytes: Int
    /// Deepest accepted nesting of mappings and sequences (default 64). Scalars add no level.
    public var maxDepth: Int
    /// Most nodes (scalars, keys included, and collections) in the expanded tree (default 200 000).
    public var maxNodes: Int
    /// Longest accepted scalar, in UTF-8 bytes after escapes are processed (default 64 KiB).
    public var maxScalarBytes: Int

    public init(
        maxBytes: Int = 4 * 1024 * 1024,
        maxDepth: Int = 64,
        maxNodes: Int = 200_000,
        maxScalarBytes: Int = 64 * 1024
    ) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
        self.maxScalarBytes = maxScalarBytes
    }

    /// The limits rule files are read with.
    public static let `default` = YAMLLimits()
}
