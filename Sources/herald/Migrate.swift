import ArgumentParser
import Foundation
import HeraldConfig
import HeraldDelivery
import HeraldServer
import HeraldStore
import Logging

/// `herald migrate`: creates or upgrades the store's schema explicitly (`herald serve` does the same
/// at start, under an advisory lock); with `--from`, also copies a single node's SQLite outbox into
/// the PostgreSQL store (docs/migrate.md).
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or upgrade the store's schema (PostgreSQL or SQLite); copy an SQLite outbox into PostgreSQL.",
        discussion: """
            Reads 'store:' from herald.yaml. For PostgreSQL, migrations run in one transaction under an
            advisory lock, so it is safe while nodes run or start; a database written by a newer Herald is
            refused. Prints the schema version before and after. Exit status 1 when the store cannot be
            opened or migrated.

            With --from sqlite:PATH, copies that outbox — pending deliveries and the whole history, opt-outs
            and dedupe keys, not leases — into herald.yaml's PostgreSQL store, 1,000 events a transaction,
            and prints what it copied. Stop the node that writes PATH first. Running it again copies
            nothing twice. Exit status 1 when PATH is not a Herald outbox or the store is not PostgreSQL.
            """
    )

    @Option(help: "The config file.")
    var config: String = "herald.yaml"

    @Option(help: ArgumentHelp("A single node's outbox to copy into herald.yaml's PostgreSQL store.", valueName: "sqlite:PATH"))
    var from: String?

    func run() async throws {
        if let from {
            try await copy(from: from)
            return
        }
        let settings = try StoreAccess.settings(configFile: config, command: "migrate")
        let logger = Logger(label: "herald")
        do {
            let store = try await StoreOpener.open(settings, secrets: SecretStore(), migrate: true, logger: logger)
            if let postgres = store as? PostgresStore {
                let (from, to) = postgres.schemaVersions
                print(from == to ? "\(store.location): schema is current (version \(to))" : "\(store.location): schema migrated from version \(from) to \(to)")
            } else {
                print("\(store.location): schema is current")
            }
            try? await store.close()
        } catch {
            printError("herald migrate: \(error)")
            throw ExitStatus.invalidInput
        }
    }
}

extension Migrate {
    /// `--from sqlite:PATH`: every problem exits 1 with what to do about it.
    private func copy(from source: String) async throws {
        guard source.hasPrefix("sqlite:"), !source.dropFirst("sqlite:".count).isEmpty else {
            printError("herald migrate: --from '\(source)' is not an SQLite outbox: write '--from sqlite:PATH' with the path of "
                + "the single node's outbox file (its 'store: sqlite:PATH' setting)")
            throw ExitStatus.invalidInput
        }
        let path = String(source.dropFirst("sqlite:".count))
        let settings = try StoreAccess.settings(configFile: config, command: "migrate")
        guard settings.postgres != nil else {
            printError("herald migrate: \(config): 'store: \(settings.storeSetting)' is not PostgreSQL, so there is nowhere to copy "
                + "'\(path)' to: set 'store: postgresql://USER@HOST:PORT/DB' to the cluster's database and run again")
            throw ExitStatus.invalidInput
        }
        let sqlite: SQLiteStore
        do {
            sqlite = try SQLiteStore.openExisting(path: path)
        } catch {
            printError("herald migrate: --from \(source): \(error)\n"
                + "  give the path of the single node's outbox file (its 'store: sqlite:PATH' setting in that node's herald.yaml)")
            throw ExitStatus.invalidInput
        }
        let logger = Logger(label: "herald")
        let store: any Outbox
        do {
            store = try await StoreOpener.open(settings, secrets: SecretStore(), migrate: true, logger: logger)
        } catch {
            try? sqlite.close()
            printError("herald migrate: \(error)")
            throw ExitStatus.invalidInput
        }
        defer { try? sqlite.close() }
        guard let postgres = store as? PostgresStore else {
            try? await store.close()
            printError("herald migrate: \(store.location) is not a PostgreSQL store")
            throw ExitStatus.invalidInput
        }
        let showProgress = isatty(STDERR_FILENO) != 0
        do {
            let summary = try await postgres.importOutbox(from: sqlite) { running in
                if showProgress { printError("… \(running.events.copied + running.events.skipped) events") }
            }
            try? await store.close()
            print("copied \(source) into \(store.location)")
            for line in Self.lines(summary) { print("  " + line) }
        } catch {
            try? await store.close()
            printError("herald migrate: copying \(source) into \(store.location): \(error)\n"
                + "  what was copied before stays; fix the problem and run the same command again: it copies nothing twice")
            throw ExitStatus.invalidInput
        }
    }

    /// The summary, a kind a line: copied and already present.
    static func lines(_ summary: ImportSummary) -> [String] {
        func tally(_ tally: ImportTally) -> String {
            "\(tally.copied) copied, \(tally.skipped) already present"
        }
        let byStatus = DeliveryStatus.allCases.compactMap { status in
            summary.deliveriesByStatus[status].map { "\($0) \(status.rawValue)" }
        }
        let statuses = byStatus.isEmpty ? "" : " (\(byStatus.joined(separator: ", ")))"
        return [
            "events:       \(tally(summary.events))",
            "deliveries:   \(summary.deliveries.copied) copied\(statuses), \(summary.deliveries.skipped) already present",
            "attempts:     \(tally(summary.attempts))",
            "statuses:     \(tally(summary.statuses))",
            "replies:      \(tally(summary.replies))",
            "opt-outs:     \(tally(summary.optOuts))",
            "dedupe keys:  \(tally(summary.dedupeKeys))",
        ]
    }
}
