import Foundation
import HeraldConfig
import HeraldCore
import HeraldDelivery
import HeraldStore
import Logging

/// Opens the store herald.yaml's `store:` names — the SQLite file or the PostgreSQL database —
/// for `herald serve` and for the CLI's commands that read or change it.
public enum StoreOpener {
    /// Why the store could not be opened, in words that name the setting (never a password).
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        /// The database could not be reached (as opposed to refused or misconfigured).
        public var unavailable: Bool
    }

    /// Opens the store. `migrate` brings a PostgreSQL schema up to date first (under an advisory
    /// lock, so nodes starting together migrate once); without it an out-of-date schema is refused.
    public static func open(_ settings: ServerSettings, secrets: some SecretResolver, migrate: Bool = true,
                            logger: Logger) async throws(Failure) -> any Outbox {
        if let postgres = settings.postgres {
            let configuration = try postgresConfiguration(postgres, secrets: secrets)
            do {
                return try await PostgresStore(configuration: configuration, migrate: migrate, logger: logger)
            } catch {
                throw Failure(description: "store \(postgres.url): \(error)", unavailable: error.code == .unavailable)
            }
        }
        do {
            return try SQLiteStore(path: settings.storePath,
                                   configuration: SQLiteConfiguration(synchronous: settings.storeSynchronousFull ? .full : .normal))
        } catch {
            throw Failure(description: "store \(settings.storeSetting): \(error)", unavailable: false)
        }
    }

    /// The connection settings for `setting`, with its password resolved from its reference.
    public static func postgresConfiguration(_ setting: PostgresStoreSetting, secrets: some SecretResolver) throws(Failure)
        -> PostgresConfiguration
    {
        var password: String?
        if let reference = setting.password {
            do {
                password = try secrets.resolve(reference)
            } catch {
                throw Failure(description: "store \(setting.url): password: \(error)", unavailable: false)
            }
        }
        return PostgresConfiguration(
            host: setting.host, port: setting.port, username: setting.username, password: password, database: setting.database,
            tls: PostgresConfiguration.TLSMode(rawValue: setting.sslmode) ?? .prefer, maximumConnections: setting.pool)
    }
}

/// A node's name: `--node`, `node:` in herald.yaml, or the host name and process id.
public enum NodeName {
    public static var `default`: String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "herald"
        return "\(host)-\(ProcessInfo.processInfo.processIdentifier)"
    }
}
