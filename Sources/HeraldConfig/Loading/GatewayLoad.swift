import Foundation
import HeraldCore

/// herald.yaml and its rules, read from disk and checked together: the one place Herald loads its
/// configuration, for `herald check`, `test` and `send`, for `herald serve` and each of its reloads,
/// and (herald.yaml alone, ``readConfig(file:)``) for the commands that open the store.
///
/// Files are read here and nowhere else; decoding stays pure (`GatewayConfigDecoder(file:bytes:)`,
/// `RuleCatalog(sources:…)`). Every problem in what was read is a diagnostic, so one run reports all
/// of them; only what leaves nothing to check at all (herald.yaml unreadable, a path named on the
/// command line that is not there) throws.
///
/// Invariants every caller relies on:
/// - herald.yaml's `rules:` must name a folder that exists and can be listed; a missing folder, a
///   file or an unreadable folder is an error at herald.yaml:1:1 (docs/config.md, "The folder must
///   exist"). A folder without rule files is a warning.
/// - The rules are checked even when herald.yaml has errors (against the endpoints it declares), so
///   `herald check` and a refused `herald serve` list the same errors.
/// - Paths are shown as a person would type them (`./rules/a.yaml` → `rules/a.yaml`), and the
///   diagnostics are sorted by file and position, errors before warnings (`Diagnostic.ordered`).
public struct GatewayLoad: Sendable {
    /// Why nothing could be checked: the message names the path and how to fix the call.
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// herald.yaml is missing, a folder, or cannot be read.
        case unreadableConfig(String)
        /// A rule file or folder named instead of the config's rules folder does not exist.
        case noSuchPath(String)
        /// A rules folder named instead of the config's rules folder cannot be listed.
        case unlistableFolder(String)

        public var description: String {
            switch self {
            case .unreadableConfig(let file): "cannot read config file '\(file)'; pass --config PATH to herald.yaml"
            case .noSuchPath(let path): "no such file or folder: '\(path)'"
            case .unlistableFolder(let folder): "cannot list folder '\(folder)'"
            }
        }
    }

    /// Where the rules come from.
    public enum Rules: Sendable, Hashable {
        /// herald.yaml's `rules:` folder.
        case configured
        /// These rule files and folders instead (`herald check PATH…`), as the user named them.
        case paths([String])
    }

    /// herald.yaml as the user named it; nil when rules are checked without one.
    public var configFile: String?
    /// herald.yaml's settings; nil without one or when it has errors.
    public var config: GatewayConfig?
    /// Every rule file read, decoded and cross-checked against herald.yaml's endpoints.
    public var catalog: RuleCatalog
    /// The rules as `herald check`'s summary names them: the folder (`rules/`) or the paths given.
    public var rulesLabel: String
    /// herald.yaml's, the rules folder's and the rule files' diagnostics, in `Diagnostic.ordered` order.
    public var diagnostics: [Diagnostic]

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
    public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }
    /// The compiled rules, when nothing (herald.yaml included) has an error.
    public var ruleSet: RuleSet? { hasErrors ? nil : catalog.ruleSet }

    /// Reads herald.yaml (when given) and the rules, and checks them together.
    /// - Parameters:
    ///   - configFile: herald.yaml, or nil to check rule files alone (without checking channels
    ///     against endpoints); `rules` must then name them.
    ///   - rules: herald.yaml's rules folder, or paths to check instead.
    public static func read(configFile: String?, rules: Rules = .configured) throws(Failure) -> GatewayLoad {
        var diagnostics: [Diagnostic] = []
        var decoder: GatewayConfigDecoder?
        if let configFile {
            let decoded = try readConfig(file: configFile)
            diagnostics += decoded.log.diagnostics
            decoder = decoded
        }
        var files: [String] = []
        let label: String
        switch rules {
        case .paths(let paths):
            label = paths.joined(separator: ", ")
            for path in paths {
                files += try ruleFiles(named: path, diagnostics: &diagnostics)
            }
        case .configured:
            // herald.yaml that does not parse names no folder: its own errors are the report.
            guard let configFile, let folder = decoder?.rulesFolder.map(normalize) else {
                label = "rules/"
                break
            }
            label = folder
            files = ruleFiles(configuredIn: configFile, folder: folder, diagnostics: &diagnostics)
        }
        let read = RuleCatalog.readSources(files)
        let catalog = RuleCatalog(sources: read.sources, endpoints: decoder?.endpointNames, endpointKinds: decoder?.endpointKinds ?? [:],
                                  optOutKeywords: decoder?.config?.protection.optOutKeywords)
        diagnostics += read.diagnostics + catalog.diagnostics
        return GatewayLoad(configFile: configFile, config: decoder?.config, catalog: catalog, rulesLabel: label,
                           diagnostics: diagnostics.sorted(by: Diagnostic.ordered))
    }

    /// Reads and decodes herald.yaml alone (the store commands need no rules).
    public static func readConfig(file: String) throws(Failure) -> GatewayConfigDecoder {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue,
              let data = FileManager.default.contents(atPath: file) else {
            throw .unreadableConfig(file)
        }
        return GatewayConfigDecoder(file: file, bytes: [UInt8](data))
    }

    /// The rule files of herald.yaml's rules folder; what is wrong with the folder is a diagnostic.
    private static func ruleFiles(configuredIn configFile: String, folder: String, diagnostics: inout [Diagnostic]) -> [String] {
        func refuse(_ message: String, hint: String) -> [String] {
            diagnostics.append(Diagnostic(.error, file: configFile, mark: SourceMark(line: 1, column: 1), message: message,
                                          hint: hint + " (it is relative to herald.yaml)"))
            return []
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
            return refuse("rules folder '\(folder)' does not exist", hint: "fix 'rules:'")
        }
        guard isDirectory.boolValue else {
            return refuse("rules folder '\(folder)' is a file, not a folder", hint: "point 'rules:' at the folder that holds the rule files")
        }
        guard let files = try? RuleCatalog.ruleFiles(in: folder) else {
            return refuse("rules folder '\(folder)' cannot be read", hint: "check its permissions, or fix 'rules:'")
        }
        return checkedNotEmpty(files, folder: folder, diagnostics: &diagnostics)
    }

    /// A rule file named on the command line, or the rule files of a folder named there.
    private static func ruleFiles(named path: String, diagnostics: inout [Diagnostic]) throws(Failure) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .noSuchPath(path) }
        guard isDirectory.boolValue else { return [normalize(path)] }
        guard let files = try? RuleCatalog.ruleFiles(in: path) else { throw .unlistableFolder(path) }
        return checkedNotEmpty(files, folder: path, diagnostics: &diagnostics)
    }

    private static func checkedNotEmpty(_ files: [String], folder: String, diagnostics: inout [Diagnostic]) -> [String] {
        if files.isEmpty {
            diagnostics.append(Diagnostic(.warning, file: folder, mark: SourceMark(line: 1, column: 1),
                message: "no *.yaml or *.yml files in the rules folder", hint: "add rule files, or point 'rules:' at the right folder"))
        }
        return files.map(normalize)
    }

    /// `samples/../rules/bank.yaml` → `rules/bank.yaml`; `./x` → `x`. Keeps paths as a person would type them.
    public static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            switch part {
            case ".": continue
            case "..":
                if let last = parts.last, last != ".." { parts.removeLast() } else if !absolute { parts.append(part) }
            default: parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        let trailing = path.hasSuffix("/") && !joined.isEmpty ? "/" : ""
        return (absolute ? "/" : "") + (joined.isEmpty ? "." : joined) + trailing
    }
}
