import HeraldCore

/// Why Herald could not build a request for an endpoint: a setting is missing, or the recipient's
/// address cannot be sent to on this kind of endpoint. It names the endpoint and the setting, never
/// a secret.
///
/// A struct over a private code, so new cases do not break callers: compare ``kind``.
public struct RequestBuildError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: String, Sendable {
        case missingSetting = "missing-setting"
        case invalidRecipient = "invalid-recipient"
        case invalidSender = "invalid-sender"
        case invalidHeader = "invalid-header"
    }

    private let code: Code
    /// The endpoint's name.
    public let endpoint: String
    /// What is wrong, for a person.
    public let message: String

    private init(_ code: Code, endpoint: String, message: String) {
        self.code = code
        self.endpoint = endpoint
        self.message = message
    }

    /// The endpoint lacks a setting its kind needs (`token`, `account`, `from`).
    public static func missingSetting(_ key: String, endpoint: String, kind: Endpoint.Kind) -> Self {
        Self(.missingSetting, endpoint: endpoint, message: "a \(kind.rawValue) endpoint needs '\(key)'")
    }

    /// The recipient's address is not one this kind can send to.
    public static func invalidRecipient(_ address: String, endpoint: String, reason: String) -> Self {
        Self(.invalidRecipient, endpoint: endpoint, message: "recipient '\(Self.printable(address))' \(reason)")
    }

    /// The endpoint's `from` is not usable.
    public static func invalidSender(_ from: String, endpoint: String, reason: String) -> Self {
        Self(.invalidSender, endpoint: endpoint, message: "from '\(Self.printable(from))' \(reason)")
    }

    /// A configured header has a bad name or a value with line breaks (which would inject headers).
    public static func invalidHeader(_ name: String, endpoint: String, reason: String) -> Self {
        Self(.invalidHeader, endpoint: endpoint, message: "header '\(Self.printable(name))' \(reason)")
    }

    /// `missing-setting`, `invalid-recipient`, `invalid-sender`, `invalid-header`.
    public var kind: String { code.rawValue }

    public var description: String { "endpoint '\(endpoint)': \(message)" }

    /// The delivery outcome this error amounts to: permanent for this channel (so the rule fails over),
    /// with the code `herald:<kind>`.
    public var outcome: DeliveryOutcome {
        .permanent(ProviderError(code: "herald:\(kind)", message: description))
    }

    /// Control characters shown as `\u{…}` so an error message cannot break a log line.
    private static func printable(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined().prefix(120))
    }
}
