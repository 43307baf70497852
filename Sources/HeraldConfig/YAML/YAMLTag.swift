/// A node's explicit tag, as far as Herald cares.
///
/// Rule files are plain data, so only the YAML 1.2 core tags are honoured (plus `!!merge` for
/// `<<` keys); a custom tag such as `!secret` would silently mean nothing, so it is an error.
enum YAMLTag: Hashable {
    /// No tag: the core schema decides.
    case none
    /// `!`: "not resolved", which makes a scalar a string.
    case nonSpecific
    case str, int, float, bool, null, seq, map, merge
    /// Any other tag, as written (`!!binary`, `!secret`).
    case unsupported(String)

    static let yamlPrefix = "tag:yaml.org,2002:"

    init(_ tag: String?) {
        guard let tag else {
            self = .none
            return
        }
        switch tag {
        case "!": self = .nonSpecific
        case Self.yamlPrefix + "str": self = .str
        case Self.yamlPrefix + "int": self = .int
        case Self.yamlPrefix + "float": self = .float
        case Self.yamlPrefix + "bool": self = .bool
        case Self.yamlPrefix + "null": self = .null
        case Self.yamlPrefix + "seq": self = .seq
        case Self.yamlPrefix + "map": self = .map
        case Self.yamlPrefix + "merge": self = .merge
        default:
            // Show `tag:yaml.org,2002:binary` the way it was written: `!!binary`.
            self = .unsupported(tag.hasPrefix(Self.yamlPrefix) ? "!!" + tag.dropFirst(Self.yamlPrefix.count) : tag)
        }
    }

    /// The tag as written in the file.
    var written: String {
        switch self {
        case .none: ""
        case .nonSpecific: "!"
        case .str: "!!str"
        case .int: "!!int"
        case .float: "!!float"
        case .bool: "!!bool"
        case .null: "!!null"
        case .seq: "!!seq"
        case .map: "!!map"
        case .merge: "!!merge"
        case .unsupported(let tag): tag
        }
    }

    func unsupportedError(at mark: SourceMark, on kind: String) -> YAMLError {
        switch self {
        case .unsupported(let tag) where tag.hasPrefix("!!"):
            YAMLError(
                mark: mark,
                message: "unsupported tag \(tag)",
                hint: "rule files support only !!str, !!int, !!float, !!bool, !!null, !!seq and !!map; remove the tag"
            )
        case .unsupported(let tag):
            YAMLError(
                mark: mark,
                message: "unknown tag \(tag)",
                hint: "rule files do not use custom tags; remove it, or quote the value if the '!' is part of the text"
            )
        default:
            YAMLError(mark: mark, message: "tag \(written) cannot be used on a \(kind)", hint: "remove the tag")
        }
    }
}
