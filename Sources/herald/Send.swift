import ArgumentParser
import Foundation
import HeraldConfig
import HeraldCore
import HeraldDelivery

/// `herald send`: match, render and deliver now, printing each delivery's outcome.
/// For batch jobs and for trying a config end to end; nothing is stored (the gateway service adds the outbox).
/// It delivers through the same engine as `herald serve` (``Dispatcher/deliver(_:deliveryID:eventID:)``
/// is a loop over the workers' step) and keeps the same quiet hours and pacing, which hold a
/// non-urgent message rather than send it: with no outbox to wait in, a held message is reported
/// and not sent.
struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Match, render and deliver events now, printing each delivery's outcome.",
        discussion: """
            EVENT is a file holding one JSON object, a JSON array of events, or JSON Lines; '-' reads stdin.
            Secrets come from the env:/file: references in herald.yaml. Phone numbers are masked in the output.
            Quiet hours and pacing (protection: in herald.yaml) apply as in 'herald serve': a non-urgent message
            in the recipient's quiet hours, or over the pacing limit (counting the messages this run sent to the
            recipient), is not sent; it is reported as 'held: <why> until <time>' and can be sent again then.
            Exit status: 0 when every message was delivered; 1 when an event is invalid, a message could not
            be rendered, or a delivery failed on every channel; 2 usage errors; 3 when nothing failed but some
            messages were held (send those events again after the time printed).
            """
    )

    @Option(name: .shortAndLong, help: "The gateway config (default: ./herald.yaml when present).")
    var config: String?

    @Argument(help: "Event files (JSON, JSON array, or JSON Lines); '-' for stdin.")
    var events: [String]

    func validate() throws {
        if events.isEmpty { throw ValidationError("name at least one event file, or '-' for stdin") }
    }

    func run() async throws {
        let (workspace, planner) = try Workspace.planner(for: "send", configOption: config)
        let endpoints = workspace.config?.endpoints ?? []
        for endpoint in endpoints where endpoint.delivery.insecure {
            printError("herald send: warning: endpoint '\(endpoint.name)' skips TLS certificate verification (insecure: true)")
        }
        let transport = CurlTransport()
        defer { transport.shutdown() }
        let dispatcher = Dispatcher(endpoints: endpoints, secrets: SecretStore(), transport: transport, mail: transport)
        let protection = workspace.config?.protection ?? ProtectionSettings()
        // Pacing counts what this run sent: non-urgent messages delivered, by recipient address.
        var sentTo: [String: [Date]] = [:]
        var failed = false
        var held = false
        for (name, bytes) in try Workspace.readEventInputs(events, command: "send") {
            for item in EventReader.read(bytes) {
                guard case .success(let event) = item.result else {
                    if case .failure(let error) = item.result {
                        printError("\(name):\(error.line):\(error.column): error: event is not valid JSON: \(error.message)")
                    }
                    failed = true
                    continue
                }
                let eventID = event["id"]?.stringValue ?? "\(name)#\(item.index)"
                let plan = planner.plan(event, now: Date())
                if plan.matched.isEmpty { print("event \(eventID): no rule matched") }
                for skipped in plan.skipped {
                    failed = true
                    print("event \(eventID): \(skipped.rule): no message: \(skipped.reason)")
                }
                for message in plan.messages {
                    let deliveryID = Send.deliveryID(event: eventID, message: message)
                    let recipient = Send.mask(message.recipient.address)
                    let urgent = planner.ruleSet.rule(id: message.rule)?.urgent == true
                    if !urgent, let hold = protection.hold(recipientTimeZone: message.recipient.timezone, now: Date(),
                                                           sentTimes: sentTo[message.recipient.address] ?? []) {
                        held = true
                        print("event \(eventID): \(message.rule) → \(recipient): held: \(hold.explanation) until \(Send.timestamp(hold.until)),"
                            + " not sent, delivery \(deliveryID)")
                        continue
                    }
                    let report = await dispatcher.deliver(message, deliveryID: deliveryID, eventID: eventID)
                    let attempts = "\(report.attempts.count) attempt\(report.attempts.count == 1 ? "" : "s")"
                    switch report.result {
                    case .delivered(let channel, let providerID):
                        if !urgent { sentTo[message.recipient.address, default: []].append(Date()) }
                        print("event \(eventID): \(message.rule) → \(recipient): delivered via \(channel)"
                            + (providerID.map { " (\($0))" } ?? "") + ", \(attempts), delivery \(deliveryID)")
                    case .failed(let reason):
                        failed = true
                        print("event \(eventID): \(message.rule) → \(recipient): FAILED after \(attempts): \(reason), delivery \(deliveryID)")
                    }
                    for failover in report.failovers where report.result != .failed(failover) {
                        print("  gave up on \(failover)")
                    }
                }
            }
        }
        if failed { throw ExitStatus.invalidInput }
        if held { throw ExitStatus.held }
    }

    /// `2026-03-14T22:00:00Z`: when a held message may go.
    static func timestamp(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }

    /// Stable across runs of the same event: a downstream system can de-duplicate a resend.
    static func deliveryID(event: String, message: PlannedMessage) -> String {
        "\(event)/\(message.rule)" + (message.element.map { "/\($0)" } ?? "")
    }

    /// `+919876543210` → `+91•••••••210`: enough to tell recipients apart in a log, not to dial them.
    static func mask(_ address: String) -> String {
        if let at = address.firstIndex(of: "@") {
            return String(address.prefix(1)) + "•••" + address[at...]
        }
        guard address.count > 6 else { return String(repeating: "•", count: address.count) }
        return String(address.prefix(3)) + String(repeating: "•", count: address.count - 6) + String(address.suffix(3))
    }
}
