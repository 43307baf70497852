/// Where a value sits inside a JSON (or YAML) document: a list of object keys and array indexes.
/// Errors about a pattern or an event carry one, so the YAML layer can turn it into file:line:col
/// and the API can show it as an RFC 6901 pointer.
public struct JSONPointer: Sendable, Hashable, CustomStringConvertible {
    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    public var components: [Component]

    public init(_ components: [Component] = []) {
        self.components = components
    }

    public static let root = JSONPointer()

    public func appending(key: String) -> JSONPointer { JSONPointer(components + [.key(key)]) }
    public func appending(index: Int) -> JSONPointer { JSONPointer(components + [.index(index)]) }

    /// RFC 6901 text: `/data/risk_score/0`.
    public var description: String {
        components.map { component in
            switch component {
            case .key(let key): "/" + key.escapedForPointer
            case .index(let index): "/\(index)"
            }
        }.joined()
    }
}

extension String {
    /// `~` → `~0`, `/` → `~1` (RFC 6901), without Foundation.
    fileprivate var escapedForPointer: String {
        var out = ""
        for ch in self {
            switch ch {
            case "~": out += "~0"
            case "/": out += "~1"
            default: out.append(ch)
            }
        }
        return out
    }
}
