import Foundation
import HeraldCore
import HeraldDelivery
import HeraldStore
import Logging
import Metrics
import ServiceLifecycle

/// Keeps the outbox gauges current (pending, dead, oldest pending age), each endpoint's gate gauges
/// (adaptive concurrency limit, in flight, waiting, lag) and the group-commit counters, and prunes
/// delivered records older than the retention.
final class Maintenance: Service, Sendable {
    let outbox: Outbox
    /// Where the endpoint gates are read from (nil: no gate gauges).
    let gateway: Gateway?
    /// Delivered events are kept for the retention, and at least the duplicate window (their ids
    /// are what recognises a repeat).
    let retention: Duration
    let logger: Logger
    let sampleInterval: Duration
    let pruneEvery: Int

    init(outbox: Outbox, gateway: Gateway? = nil, retention: Duration, logger: Logger, sampleInterval: Duration = .seconds(1), pruneEvery: Int = 600) {
        self.outbox = outbox
        self.gateway = gateway
        self.retention = retention
        self.logger = logger
        self.sampleInterval = sampleInterval
        self.pruneEvery = pruneEvery
    }

    func run() async throws {
        var tick = 0
        var committed = GroupCommitStatistics()
        let transactions = Counter(label: "herald_store_transactions_total")
        let writes = Counter(label: "herald_store_writes_total")
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            let now = Date()
            let statistics = await outbox.groupCommitStatistics()
            transactions.increment(by: statistics.transactions - committed.transactions)
            writes.increment(by: statistics.writes - committed.writes)
            committed = statistics
            if let gateway {
                for gate in gateway.snapshot.dispatcher.gateStates {
                    let endpoint = [("endpoint", gate.endpoint)]
                    Gauge(label: "herald_endpoint_concurrency_limit", dimensions: endpoint).record(gate.limit)
                    Gauge(label: "herald_endpoint_in_flight", dimensions: endpoint).record(gate.inFlight)
                    Gauge(label: "herald_endpoint_waiting", dimensions: endpoint).record(gate.waiting)
                    Gauge(label: "herald_endpoint_lag_seconds", dimensions: endpoint).record(gate.lag.inSeconds)
                }
            }
            do {
                let depth = try await outbox.depth(now: now)
                Gauge(label: "herald_outbox_pending").record(depth.pending)
                Gauge(label: "herald_outbox_due").record(depth.due)
                Gauge(label: "herald_outbox_dead").record(depth.dead)
                Gauge(label: "herald_outbox_oldest_pending_age_seconds")
                    .record(depth.oldestPendingDueAt.map { max(0, now.timeIntervalSince($0)) } ?? 0)
                if tick % pruneEvery == 0 {
                    let cutoff = now.addingTimeInterval(-Double(retention.components.seconds))
                    // Bounded batches: each a short transaction, so pruning never holds the hot tables long.
                    let pruned = try await outbox.pruneAll(deliveredBefore: cutoff, batch: 1000)
                    if pruned > 0 { logger.info("pruned delivered events", metadata: ["events": "\(pruned)"]) }
                }
            } catch {
                logger.error("outbox maintenance failed", metadata: ["error": "\(error)"])
            }
            tick += 1
            let interval = sampleInterval
            _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
