/// A problem in a rule file or herald.yaml, in the form compilers and editors use:
/// `rules/bank.yaml:12:7: error: unknown key 'tempalte' in rule 'card-fraud-check'; did you mean 'template'?`
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        case error, warning
    }

    public var severity: Severity
    /// The file as the user named it (relative paths stay relative).
    public var file: String
    public var mark: SourceMark
    /// What is wrong.
    public var message: String
    /// How to fix it.
    public var hint: String

    public init(_ severity: Severity, file: String, mark: SourceMark, message: String, hint: String) {
        self.severity = severity
        self.file = file
        self.mark = mark
        self.message = message
        self.hint = hint
    }

    /// `FILE:LINE:COL: SEVERITY: MESSAGE; HINT`
    public var description: String {
        "\(file):\(mark.line):\(mark.column): \(severity.rawValue): \(message)" + (hint.isEmpty ? "" : "; \(hint)")
    }

    /// File, then position, then errors before warnings.
    public static func ordered(_ lhs: Diagnostic, _ rhs: Diagnostic) -> Bool {
        if lhs.file != rhs.file { return lhs.file < rhs.file }
        if lhs.mark != rhs.mark { return lhs.mark < rhs.mark }
        return lhs.severity == .error && rhs.severity == .warning
    }
}

/// Diagnostics collected while reading one file: every problem is reported, not just the first.
public struct DiagnosticLog: Sendable {
    public let file: String
    public private(set) var diagnostics: [Diagnostic] = []

    public init(file: String) {
        self.file = file
    }

    public mutating func error(_ mark: SourceMark, _ message: String, hint: String) {
        diagnostics.append(Diagnostic(.error, file: file, mark: mark, message: message, hint: hint))
    }

    public mutating func warning(_ mark: SourceMark, _ message: String, hint: String) {
        diagnostics.append(Diagnostic(.warning, file: file, mark: mark, message: message, hint: hint))
    }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}
