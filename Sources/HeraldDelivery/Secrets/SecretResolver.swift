import HeraldCore

/// Turns a secret reference (`env:NAME`, `file:PATH`) into the secret. Where secrets plug in:
/// ``SecretStore`` reads the process environment and files; tests give it a dictionary.
public protocol SecretResolver: Sendable {
    /// The secret `reference` names. Errors name the reference, never a value.
    func resolve(_ reference: SecretReference) throws(SecretError) -> String
}

/// Why a secret could not be had. It names the reference (`env:WHATSAPP_TOKEN`) and never holds
/// any part of a secret, so it is safe to log and to show in `herald check`.
public struct SecretError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// The environment variable is not set.
        case notSet
        /// The variable or file is empty (after the trailing newline is removed).
        case empty
        /// The file is missing, unreadable, too large or not UTF-8: why, in words.
        case unreadable(String)
    }

    public var reference: SecretReference
    public var reason: Reason

    public init(reference: SecretReference, reason: Reason) {
        self.reference = reference
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .notSet: "secret \(reference): the environment variable is not set"
        case .empty: "secret \(reference) is empty"
        case .unreadable(let why): "secret \(reference) cannot be read: \(why)"
        }
    }
}
