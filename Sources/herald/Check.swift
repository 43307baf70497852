import ArgumentParser
import HeraldConfig

/// `herald check`: validate herald.yaml, rules and templates, printing compiler-style diagnostics.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate herald.yaml, rule files and templates.",
        discussion: """
            Prints every problem as FILE:LINE:COL: error|warning: MESSAGE; HINT.
            Exit status: 0 valid (warnings allowed), 1 errors, 2 usage errors.
            """
    )

    @Option(name: .shortAndLong, help: "The gateway config (default: ./herald.yaml when present).")
    var config: String?

    @Argument(help: "Rule files or folders to check instead of the config's rules folder.")
    var paths: [String] = []

    func run() throws {
        let workspace: Workspace
        do {
            workspace = try Workspace.load(configOption: config, paths: paths)
        } catch let error as UsageError {
            printError("herald check: \(error.description)")
            throw ExitStatus.usage
        }
        for diagnostic in workspace.diagnostics {
            print(diagnostic.description)
        }
        let verdict = workspace.hasErrors ? Diagnostic.Severity.count(workspace.diagnostics)
            : "OK" + (workspace.diagnostics.isEmpty ? "" : " (\(Diagnostic.Severity.count(workspace.diagnostics)))")
        if let file = workspace.configFile, let config = workspace.config {
            print("\(file): \(config.endpoints.count) endpoint\(config.endpoints.count == 1 ? "" : "s")")
        }
        if !workspace.endpointsChecked {
            printError("note: channels were not checked against endpoints: no herald.yaml here; pass --config herald.yaml to check them")
        }
        print("\(workspace.catalog.summary(folder: workspace.rulesLabel)) — \(verdict)")
        if workspace.hasErrors { throw ExitStatus.invalidInput }
    }
}
