import Foundation
import HeraldCore

/// Secrets from the process environment (`env:NAME`) and from files (`file:/run/secrets/token`).
///
/// A file's content is the secret with one trailing newline removed (`\n` or `\r\n`): files written
/// by `echo` or editors end in one, Kubernetes and Docker secrets usually do not, and both must work.
/// Only one is removed, so a secret that really ends in white space keeps it. An empty secret is an
/// error rather than an empty `Authorization` header; so is a file over 64 KiB (a wrong path, not a
/// token) or one that is not UTF-8.
public struct SecretStore: SecretResolver {
    /// The largest secret file read.
    public static let maximumFileSize = 64 * 1024

    private let environment: [String: String]

    /// `environment` defaults to the process's; tests pass a dictionary.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    public func resolve(_ reference: SecretReference) throws(SecretError) -> String {
        switch reference {
        case .environment(let name):
            guard let value = environment[name] else { throw SecretError(reference: reference, reason: .notSet) }
            guard !value.isEmpty else { throw SecretError(reference: reference, reason: .empty) }
            return value
        case .file(let path):
            let value = Self.trimmingOneNewline(try read(path, reference: reference))
            guard !value.isEmpty else { throw SecretError(reference: reference, reason: .empty) }
            return value
        }
    }

    private func read(_ path: String, reference: SecretReference) throws(SecretError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SecretError(reference: reference, reason: .unreadable("no such file"))
        }
        guard !isDirectory.boolValue else { throw SecretError(reference: reference, reason: .unreadable("it is a directory")) }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw SecretError(reference: reference, reason: .unreadable("permission denied"))
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: Self.maximumFileSize + 1) ?? Data()
        } catch {
            throw SecretError(reference: reference, reason: .unreadable("read failed"))
        }
        guard data.count <= Self.maximumFileSize else {
            throw SecretError(reference: reference, reason: .unreadable("larger than \(Self.maximumFileSize / 1024) KiB"))
        }
        guard let text = String(validating: Array(data), as: UTF8.self) else {
            throw SecretError(reference: reference, reason: .unreadable("not UTF-8 text"))
        }
        return text
    }

    /// `"abc\n"` → `"abc"`, `"abc\r\n"` → `"abc"`, `"abc\n\n"` → `"abc\n"`.
    static func trimmingOneNewline(_ text: String) -> String {
        var scalars = text.unicodeScalars[...]
        if scalars.last == "\n" {
            scalars = scalars.dropLast()
            if scalars.last == "\r" { scalars = scalars.dropLast() }
        }
        return String(String.UnicodeScalarView(scalars))
    }
}
