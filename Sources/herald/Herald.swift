import ArgumentParser
import Foundation
import HeraldDelivery

@main
struct Herald: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "herald",
        abstract: "A notification gateway for banks and airlines: rule files in, localized messages out.",
        version: "herald 0.1.0 (\(LibCurl.version))",
        subcommands: [Check.self, DryRun.self, Send.self, Serve.self, Deliveries.self, Replay.self, Migrate.self, OptOuts.self, Sink.self]
    )

    /// Like ArgumentParser's `main()`, but usage errors exit with 2 (as `herald check` documents),
    /// not the parser's default of 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                printError(fullMessage(for: error))
                Foundation.exit(ExitStatus.usage.rawValue)
            }
            exit(withError: error)
        }
    }
}

/// Exit codes: 0 valid (warnings allowed), 1 errors in the input, 2 usage errors.
enum ExitStatus {
    static let invalidInput = ExitCode(1)
    static let usage = ExitCode(2)
    /// `herald send`: nothing failed, but quiet hours or pacing held some messages back.
    static let held = ExitCode(3)
}
