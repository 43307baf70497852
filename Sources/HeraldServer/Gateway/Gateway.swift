import Foundation
import HeraldConfig
import HeraldCore
import HeraldDelivery
import Synchronization

/// The configuration `herald serve` is serving, swapped atomically by a reload.
///
/// A reload reads and checks herald.yaml and every rule file in full; only a set without errors
/// replaces the current one. A refused reload leaves the old set serving and keeps its diagnostics
/// for `POST /-/reload` and the log. `listen`, `store` and `api_keys` are read at start-up only.
public final class Gateway: Sendable {
    public struct ReloadStatus: Sendable {
        public var successful: Bool
        public var at: Date
        /// The refused load's diagnostics (empty after a successful reload).
        public var diagnostics: [Diagnostic]
        public var summary: String
    }

    public let configFile: String
    private let secrets: any SecretResolver
    private let transport: CurlTransport
    private let state: Mutex<(snapshot: GatewaySnapshot, status: ReloadStatus)>

    public init(configFile: String, secrets: some SecretResolver, transport: CurlTransport) throws(GatewaySnapshot.LoadFailure) {
        self.configFile = configFile
        self.secrets = secrets
        self.transport = transport
        let snapshot = try GatewaySnapshot.load(configFile: configFile, secrets: secrets, transport: transport)
        state = Mutex((snapshot, ReloadStatus(successful: true, at: snapshot.loadedAt, diagnostics: [], summary: "loaded")))
    }

    public var snapshot: GatewaySnapshot { state.withLock { $0.snapshot } }
    public var reloadStatus: ReloadStatus { state.withLock { $0.status } }

    /// Loads the configuration again; swaps it in only when it has no errors.
    @discardableResult
    public func reload(now: Date = Date()) -> ReloadStatus {
        do {
            let fresh = try GatewaySnapshot.load(configFile: configFile, secrets: secrets, transport: transport, now: now)
            let status = ReloadStatus(successful: true, at: now, diagnostics: fresh.warnings,
                                      summary: "reloaded: \(fresh.ruleSet.rules.count) rules, \(fresh.ruleSet.templates.count) templates")
            state.withLock { $0 = (fresh, status) }
            return status
        } catch {
            let status = ReloadStatus(successful: false, at: now, diagnostics: error.diagnostics,
                                      summary: "reload refused, the previous configuration keeps serving: \(error.summary)")
            state.withLock { $0.status = status }
            return status
        }
    }
}
