import ArgumentParser
import Foundation
import HeraldConfig
import HeraldDelivery
import HeraldServer
import HeraldStore
import Logging

/// `herald migrate`: creates or upgrades the store's schema explicitly (`herald serve` does the same
/// at start, under an advisory lock).
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or upgrade the store's schema (PostgreSQL or SQLite).",
        discussion: """
            Reads 'store:' from herald.yaml. For PostgreSQL, migrations run in one transaction under an
            advisory lock, so it is safe while nodes run or start; a database written by a newer Herald is
            refused. Prints the schema version before and after. Exit status 1 when the store cannot be
            opened or migrated.
            """
    )

    @Option(help: "The config file.")
    var config: String = "herald.yaml"

    func run() async throws {
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
