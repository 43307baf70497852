import HeraldCore

/// An RFC 9457 problem document (`application/problem+json`): what went wrong with a request, in
/// words an integration engineer can act on.
///
/// `type` is a URI naming the kind of problem (`https://herald.dev/problems/invalid-json`), stable
/// for programs; `title` is its short human name; `detail` is this occurrence; `extensions` carry
/// machine-readable specifics (`offset`, `errors`, …).
public struct Problem: Error, Sendable, Hashable {
    public static let contentType = "application/problem+json"
    /// The base of Herald's problem type URIs; each type is documented in docs/openapi.yaml.
    public static let typeBase = "https://herald.dev/problems/"

    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    public var extensions: JSONObject

    /// - Parameter slug: the last part of the type URI, e.g. `invalid-json`.
    public init(_ slug: String, title: String, status: Int, detail: String, extensions: JSONObject = JSONObject()) {
        self.type = Problem.typeBase + slug
        self.title = title
        self.status = status
        self.detail = detail
        self.extensions = extensions
    }

    /// The last part of the type URI.
    public var slug: String { String(type.dropFirst(Problem.typeBase.count)) }

    /// The document, members in RFC 9457's order, then the extensions.
    public var json: JSONValue {
        var object = JSONObject()
        object["type"] = .string(type)
        object["title"] = .string(title)
        object["status"] = .number(JSONNumber(status))
        object["detail"] = .string(detail)
        for member in extensions.members where object[member.key] == nil {
            object[member.key] = member.value
        }
        return .object(object)
    }
}
