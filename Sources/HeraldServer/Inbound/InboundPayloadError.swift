import HeraldCore

/// Why an authentic webhook body cannot be read: not JSON, or not of the provider's shape. Says where,
/// so whoever looks at the log (or the provider's webhook console) can find the value.
public struct InboundPayloadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where: an RFC 6901 pointer into a JSON body (`/entry/0/changes/0/value/messages/0/timestamp`),
    /// or the name of a form field (`ErrorCode`); empty for the body as a whole.
    public var location: String
    /// What is wrong: "expected a string, found number".
    public var detail: String
    /// The syntax error, when the body is not JSON at all.
    public var syntax: JSONSyntaxError?

    public init(location: String, detail: String, syntax: JSONSyntaxError? = nil) {
        self.location = location
        self.detail = detail
        self.syntax = syntax
    }

    init(_ syntax: JSONSyntaxError) {
        self.init(location: "", detail: syntax.description, syntax: syntax)
    }

    public var description: String { location.isEmpty ? detail : "\(location): \(detail)" }

    /// `400 invalid-json` with the error's position, or `400 invalid-webhook` with `location`.
    public var problem: Problem {
        if let syntax { return .invalidJSON(syntax) }
        var extensions = JSONObject()
        if !location.isEmpty { extensions["location"] = .string(location) }
        return Problem("invalid-webhook", title: "The webhook body is not of the provider's form", status: 400,
                       detail: description + ".", extensions: extensions)
    }
}

/// Why a webhook request was refused: not authentic (checked first), or not readable.
public enum InboundRejection: Error, Sendable, Hashable, CustomStringConvertible {
    case signature(InboundSignatureError)
    case payload(InboundPayloadError)

    public var description: String {
        switch self {
        case .signature(let error): error.description
        case .payload(let error): error.description
        }
    }

    /// `401 bad-signature`, or `400 invalid-json` / `invalid-webhook`.
    public var problem: Problem {
        switch self {
        case .signature(let error): error.problem
        case .payload(let error): error.problem
        }
    }
}
