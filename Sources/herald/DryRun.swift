import ArgumentParser
import Foundation
import HeraldConfig
import HeraldCore
import HeraldDelivery

/// `herald test`: a dry run. Shows which rules each event matches and the messages they would send,
/// touching no network.
struct DryRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Dry run: show which rules events match and the messages they would produce.",
        discussion: """
            EVENT is a file holding one JSON object, a JSON array of events, or JSON Lines; '-' reads stdin.
            With --json, prints one JSON object per input event, one per line.
            Exit status: 0 when every event was read and every message rendered within its channels' limits;
            1 when an event is not valid JSON, a message has a problem (a missing param, a text over an
            endpoint's max_length, no recipient address) or the rules have errors; 2 usage errors.
            """
    )

    @Option(name: .shortAndLong, help: "The gateway config (default: ./herald.yaml when present).")
    var config: String?

    @Flag(help: "Print one JSON object per event, one per line.")
    var json = false

    @Argument(help: "Event files (JSON, JSON array, or JSON Lines); '-' for stdin.")
    var events: [String]

    func validate() throws {
        if events.isEmpty { throw ValidationError("name at least one event file, or '-' for stdin") }
    }

    func run() throws {
        let (workspace, planner) = try Workspace.planner(for: "test", configOption: config)
        let endpoints = workspace.config?.endpoints ?? []
        var failed = false
        for (name, bytes) in try Workspace.readEventInputs(events, command: "test") {
            for item in EventReader.read(bytes) {
                switch item.result {
                case .failure(let error):
                    failed = true
                    let location = "\(name):\(error.line):\(error.column)"
                    if json {
                        let line: JSONValue = ["event": .string("\(name)#\(item.index)"), "error": .string("\(location): \(error.message)")]
                        print(line.compactJSON)
                    } else {
                        printError("\(location): error: event is not valid JSON: \(error.message)")
                    }
                case .success(let event):
                    let label = event["id"]?.stringValue ?? "\(name)#\(item.index)"
                    // Planned as if accepted now, as `herald serve` would: expiry counts from here.
                    let now = Date()
                    let plan = planner.plan(event, now: now)
                    // A message that could not be rendered or sent as planned fails the dry run, so CI notices.
                    if !plan.skipped.isEmpty || plan.messages.contains(where: { !$0.allProblems.isEmpty }) { failed = true }
                    if json {
                        // The exact request per channel, secrets masked, as `herald send` would make it.
                        let report = DryRunReport.json(event: label, plan: plan) { message in
                            RequestPreview.requests(for: message, endpoints: endpoints,
                                                    deliveryID: Send.deliveryID(event: label, message: message), eventID: label, now: now)
                        }
                        print(report.compactJSON)
                    } else {
                        print(DryRunReport.text(event: label, source: "\(name)#\(item.index)", plan: plan))
                    }
                }
            }
        }
        if failed { throw ExitStatus.invalidInput }
    }
}
