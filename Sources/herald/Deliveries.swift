import ArgumentParser
import Foundation
import HeraldConfig
import HeraldCore
import HeraldServer
import HeraldStore
import HeraldDelivery
import Logging

/// `herald deliveries`: the outbox's deliveries by status, read straight from the store (it can
/// run next to `herald serve`: SQLite in WAL mode lets readers and the writer work at once).
struct Deliveries: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List deliveries in the outbox: dead letters, pending ones or delivered ones.",
        discussion: """
            Reads the store named by herald.yaml's 'store'. Without --status, lists dead deliveries.
            Each line: delivery id, status, channel, attempts, and why it is dead or what failed last
            (phone numbers masked). 'herald replay ID…' sends dead ones again.
            """
    )

    @Option(help: "The config file.")
    var config: String = "herald.yaml"

    @Option(help: "dead, pending, delivered or all.")
    var status: String = "dead"

    @Option(help: "At most this many (1 to 10000).")
    var limit: Int = 100

    @Flag(help: "One JSON object per delivery, as GET /v1/deliveries shows it.")
    var json = false

    func validate() throws {
        guard status == "all" || DeliveryStatus(rawValue: status) != nil else {
            throw ValidationError("--status must be dead, pending, delivered or all")
        }
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be from 1 to 10000") }
    }

    func run() async throws {
        let outbox = try await StoreAccess.open(configFile: config, command: "deliveries")
        let records = try await outbox.deliveries(status: DeliveryStatus(rawValue: status), limit: limit, after: nil)
        for record in records {
            if json {
                print(RecordJSON.delivery(record).compactJSON)
            } else {
                let channel = record.deliveredChannel ?? record.currentChannel ?? "-"
                let why = (record.deadReason ?? record.lastError).map { "  " + LogRedaction.maskingPhoneNumbers($0) } ?? ""
                print("\(record.id)  \(record.status.rawValue)  \(channel)  \(record.totalAttempts) attempt\(record.totalAttempts == 1 ? "" : "s")\(why)")
            }
        }
        if !json {
            printError("\(records.count) \(status == "all" ? "" : status + " ")deliver\(records.count == 1 ? "y" : "ies")")
        }
        try? await outbox.close()
    }
}

/// `herald replay`: dead deliveries back to the outbox, as `POST /v1/deliveries/{id}/retry` does.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send dead deliveries again: back to the outbox, due now, their history kept.",
        discussion: """
            A running 'herald serve' on the same store picks them up within a moment; otherwise the
            next start does. Exit status 1 when any id is not a dead delivery.
            """
    )

    @Option(help: "The config file.")
    var config: String = "herald.yaml"

    @Flag(name: .customLong("all-dead"), help: "Replay every dead delivery.")
    var allDead = false

    @Argument(help: "Delivery ids (EVENT/RULE or EVENT/RULE/ELEMENT).")
    var ids: [String] = []

    func validate() throws {
        guard allDead != !ids.isEmpty else { throw ValidationError("name delivery ids, or pass --all-dead") }
    }

    func run() async throws {
        let outbox = try await StoreAccess.open(configFile: config, command: "replay")
        var targets = ids
        if allDead {
            var cursor: String?
            repeat {
                let page = try await outbox.deliveries(status: .dead, limit: 500, after: cursor)
                targets += page.map(\.id)
                cursor = page.count == 500 ? page.last?.id : nil
            } while cursor != nil
        }
        var failed = 0
        for id in targets {
            if try await outbox.requeue(deliveryID: id, now: Date()) {
                print("\(id): requeued")
            } else {
                printError("herald replay: '\(id)' is not a dead delivery")
                failed += 1
            }
        }
        try? await outbox.close()
        if failed > 0 { throw ExitStatus.invalidInput }
    }
}

/// Opens the outbox that herald.yaml names.
enum StoreAccess {
    static func open(configFile: String, command: String) async throws -> any Outbox {
        let settings = try settings(configFile: configFile, command: command)
        guard settings.postgres != nil || FileManager.default.fileExists(atPath: settings.storePath) else {
            printError("herald \(command): no store at '\(settings.storePath)' ('store: \(settings.storeSetting)'); has 'herald serve' run?")
            throw ExitStatus.invalidInput
        }
        do {
            // The CLI never migrates: a schema behind this binary is for 'herald migrate' to bring up to date.
            return try await StoreOpener.open(settings, secrets: SecretStore(), migrate: false, logger: Logger(label: "herald"))
        } catch {
            printError("herald \(command): \(error)")
            throw ExitStatus.invalidInput
        }
    }

    /// herald.yaml's server settings (`store:` among them): usage problems exit 2, errors in the file exit 1.
    static func settings(configFile: String, command: String) throws -> ServerSettings {
        let decoder: GatewayConfigDecoder
        do {
            decoder = try GatewayLoad.readConfig(file: configFile)
        } catch {
            printError("herald \(command): \(error.description)")
            throw ExitStatus.usage
        }
        guard let config = decoder.config else {
            for diagnostic in decoder.log.diagnostics where diagnostic.severity == .error { printError(diagnostic.description) }
            throw ExitStatus.invalidInput
        }
        return config.server
    }
}
