import ArgumentParser
import Foundation
import HeraldConfig
import HeraldCore

/// The config and rules a command works on, loaded with every diagnostic by `GatewayLoad`; this
/// adds only the command line's defaults (./herald.yaml, else ./rules/).
struct Workspace {
    var load: GatewayLoad

    var configFile: String? { load.configFile }
    var config: GatewayConfig? { load.config }
    var catalog: RuleCatalog { load.catalog }
    /// Each checked folder or file as the user would name it.
    var rulesLabel: String { load.rulesLabel }
    var diagnostics: [Diagnostic] { load.diagnostics }
    /// Without herald.yaml, channels cannot be checked against endpoints.
    var endpointsChecked: Bool { configFile != nil }
    var hasErrors: Bool { load.hasErrors }

    /// - Parameters:
    ///   - configOption: `--config`, or nil to use ./herald.yaml when it exists.
    ///   - paths: rule files or folders to check instead of the config's rules folder.
    static func load(configOption: String?, paths: [String]) throws -> Workspace {
        var configFile = configOption
        if configFile == nil, FileManager.default.fileExists(atPath: "herald.yaml") { configFile = "herald.yaml" }
        var rules = GatewayLoad.Rules.paths(paths)
        if paths.isEmpty {
            if configFile != nil {
                rules = .configured
            } else if FileManager.default.fileExists(atPath: "rules") {
                rules = .paths(["rules/"])
            } else {
                throw UsageError("no herald.yaml here and no rule files named; pass --config PATH or rule files/folders")
            }
        }
        do {
            return Workspace(load: try GatewayLoad.read(configFile: configFile, rules: rules))
        } catch {
            throw UsageError(error.description)
        }
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
        guard let ruleSet = workspace.load.ruleSet else {
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
