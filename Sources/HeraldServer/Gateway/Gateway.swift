import Dispatch
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
///
/// Reloads run one at a time, in the order they were asked, on a thread of their own (reading
/// and compiling rule files blocks, and must not hold one of Swift's few cooperative threads):
/// a reload asked later reads the files after an earlier one is done, so an older read never
/// replaces a newer one. The endpoints' breakers and limits live in ``endpoints`` and outlive
/// every reload.
public final class Gateway: Sendable {
    public struct ReloadStatus: Sendable {
        public var successful: Bool
        public var at: Date
        /// The refused load's diagnostics (empty after a successful reload).
        public var diagnostics: [Diagnostic]
        public var summary: String
    }

    public let configFile: String
    /// Each endpoint's circuit breaker, rate bucket and concurrency, shared by every snapshot's dispatcher.
    public let endpoints: EndpointRegistry
    private let secrets: any SecretResolver
    private let transport: CurlTransport
    private let state: Mutex<(snapshot: GatewaySnapshot, status: ReloadStatus)>
    /// Serial: reloads load one after another, in the order they were asked.
    private let reloads = DispatchQueue(label: "herald.gateway.reload")

    public init(configFile: String, secrets: some SecretResolver, transport: CurlTransport) throws(GatewaySnapshot.LoadFailure) {
        self.configFile = configFile
        self.secrets = secrets
        self.transport = transport
        let endpoints = EndpointRegistry()
        self.endpoints = endpoints
        let snapshot = try GatewaySnapshot.load(configFile: configFile, secrets: secrets, transport: transport, registry: endpoints)
        state = Mutex((snapshot, ReloadStatus(successful: true, at: snapshot.loadedAt, diagnostics: [], summary: "loaded")))
    }

    public var snapshot: GatewaySnapshot { state.withLock { $0.snapshot } }
    public var reloadStatus: ReloadStatus { state.withLock { $0.status } }

    /// Loads the configuration again; swaps it in only when it has no errors. Returns once this
    /// reload (and any asked before it) is done.
    @discardableResult
    public func reload(now: Date = Date()) async -> ReloadStatus {
        await withCheckedContinuation { continuation in
            reloads.async {
                continuation.resume(returning: self.load(now: now))
            }
        }
    }

    /// One reload, on the reload queue.
    private func load(now: Date) -> ReloadStatus {
        do {
            let fresh = try GatewaySnapshot.load(configFile: configFile, secrets: secrets, transport: transport, now: now, registry: endpoints)
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
