import ArgumentParser
import Foundation
import HeraldConfig
import HeraldCore

/// The config and rules a command works on, loaded with every diagnostic.
struct Workspace {
    var configFile: String?
    var config: GatewayConfig?
    /// Each checked folder or file as the user would name it, with the catalog of its rules.
    var catalog: RuleCatalog
    var rulesLabel: String
    var diagnostics: [Diagnostic]
    /// Without herald.yaml, channels cannot be checked against endpoints.
    var endpointsChecked: Bool { configFile != nil }

    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// - Parameters:
    ///   - configOption: `--config`, or nil to use ./herald.yaml when it exists.
    ///   - paths: rule files or folders to check instead of the config's rules folder.
    static func load(configOption: String?, paths: [String]) throws -> Workspace {
        var configFile = configOption
        if configFile == nil, FileManager.default.fileExists(atPath: "herald.yaml") { configFile = "herald.yaml" }
        var diagnostics: [Diagnostic] = []
        var config: GatewayConfig?
        var configDecoded = false
        var configRules: String?
        var endpoints: Set<String>?
        var endpointKinds: [String: Endpoint.Kind] = [:]
        var optOutKeywords: OptOutKeywords?
        if let configFile {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: configFile, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let data = FileManager.default.contents(atPath: configFile) else {
                throw UsageError("cannot read config file '\(configFile)'; pass --config PATH to herald.yaml")
            }
            let decoder = GatewayConfigDecoder(file: configFile, bytes: [UInt8](data))
            diagnostics += decoder.log.diagnostics
            config = decoder.config
            configDecoded = true
            configRules = decoder.rulesFolder
            endpoints = decoder.endpointNames
            endpointKinds = decoder.endpointKinds
            optOutKeywords = decoder.config?.protection.optOutKeywords
        }
        var targets = paths
        var label = paths.joined(separator: ", ")
        if targets.isEmpty {
            if let configRules {
                targets = [normalize(configRules)]
                label = normalize(configRules)
            } else if configDecoded {
                label = "rules/"
            } else if FileManager.default.fileExists(atPath: "rules") {
                targets = ["rules/"]
                label = "rules/"
            } else {
                throw UsageError("no herald.yaml here and no rule files named; pass --config PATH or rule files/folders")
            }
        }
        var files: [String] = []
        for target in targets {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory) else {
                if paths.isEmpty, let configFile {
                    diagnostics.append(Diagnostic(.error, file: configFile, mark: SourceMark(line: 1, column: 1),
                        message: "rules folder '\(target)' does not exist", hint: "fix 'rules:' (it is relative to herald.yaml)"))
                    continue
                }
                throw UsageError("no such file or folder: '\(target)'")
            }
            if isDirectory.boolValue {
                do {
                    let found = try RuleCatalog.ruleFiles(in: target)
                    if found.isEmpty {
                        diagnostics.append(Diagnostic(.warning, file: target, mark: SourceMark(line: 1, column: 1),
                            message: "no *.yaml or *.yml files in the rules folder", hint: "add rule files, or point 'rules:' at the right folder"))
                    }
                    files += found.map(normalize)
                } catch {
                    throw UsageError("cannot list folder '\(target)'")
                }
            } else {
                files.append(normalize(target))
            }
        }
        let read = RuleCatalog.readSources(files)
        diagnostics += read.diagnostics
        let catalog = RuleCatalog(sources: read.sources, endpoints: endpoints, endpointKinds: endpointKinds, optOutKeywords: optOutKeywords)
        diagnostics += catalog.diagnostics
        diagnostics.sort(by: Diagnostic.ordered)
        return Workspace(configFile: configFile, config: config, catalog: catalog, rulesLabel: label, diagnostics: diagnostics)
    }

    /// `samples/../rules/bank.yaml` → `rules/bank.yaml`; `./x` → `x`. Keeps paths as a person would type them.
    static func normalize(_ path: String) -> String {
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

extension Workspace {
    /// Loads herald.yaml and its rules for a command that plans events: usage problems exit 2,
    /// rule errors are printed and exit 1.
    static func planner(for command: String, configOption: String?) throws -> (Workspace, MessagePlanner) {
        let workspace: Workspace
        do {
            workspace = try Workspace.load(configOption: configOption, paths: [])
        } catch let error as UsageError {
            printError("herald \(command): \(error.description)")
            throw ExitStatus.usage
        }
        for diagnostic in workspace.diagnostics where diagnostic.severity == .error {
            printError(diagnostic.description)
        }
        guard let ruleSet = workspace.catalog.ruleSet, !workspace.hasErrors else {
            printError("herald \(command): the rules have errors (\(Diagnostic.Severity.count(workspace.diagnostics))); run 'herald check' for details")
            throw ExitStatus.invalidInput
        }
        return (workspace, MessagePlanner(ruleSet: ruleSet, endpoints: workspace.config?.endpoints ?? []))
    }

    /// The bytes of each event input (`-` is stdin), named as messages show them.
    static func readEventInputs(_ inputs: [String], command: String) throws -> [(name: String, bytes: [UInt8])] {
        try inputs.map { input in
            if input == "-" { return ("stdin", [UInt8](FileHandle.standardInput.readDataToEndOfFile())) }
            guard let data = FileManager.default.contents(atPath: input) else {
                printError("herald \(command): cannot read event file '\(input)'")
                throw ExitStatus.usage
            }
            return (input, [UInt8](data))
        }
    }
}

/// A usage error: exit status 2 with the message on stderr.
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Diagnostic.Severity {
    static func count(_ diagnostics: [Diagnostic]) -> String {
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.count - errors
        var parts: [String] = []
        if errors > 0 { parts.append("\(errors) error\(errors == 1 ? "" : "s")") }
        if warnings > 0 { parts.append("\(warnings) warning\(warnings == 1 ? "" : "s")") }
        return parts.joined(separator: ", ")
    }
}

/// Writes to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
