import Foundation
import HeraldDelivery
import HeraldStore
import Logging
import Metrics
import ServiceLifecycle

/// Keeps this node's share of every endpoint's `rate` and `concurrency`: each node says it is alive
/// in the store every ``interval`` and counts the nodes seen within ``window``; with N alive, each
/// takes 1/N of every endpoint's limits, so that together they keep the limit (WhatsApp's
/// per-number throughput is one limit however many nodes send).
///
/// How far the cluster can overshoot, and for how long (docs/cluster.md):
/// - A node joins: it takes 1/(N+1) before it serves (``join()``); the others still use 1/N until
///   their next heartbeat, so for up to ``interval`` the cluster may send 1 + 1/(N+1) times the limit.
/// - A node dies: nobody overshoots; the others keep 1/N (sending less) until ``window`` passes
///   without its heartbeat, then take 1/(N−1).
/// - The store is unreachable: the last share stays.
public final class ClusterMembership: Service, Sendable {
    public static let interval = Duration.seconds(1)
    public static let window = Duration.seconds(5)

    let outbox: any Outbox
    let endpoints: EndpointRegistry
    let node: String
    let logger: Logger

    public init(outbox: any Outbox, endpoints: EndpointRegistry, node: String, logger: Logger) {
        self.outbox = outbox
        self.endpoints = endpoints
        self.node = node
        self.logger = logger
    }

    /// One heartbeat: records this node alive, and sets its share from the nodes alive.
    /// - Returns: the nodes alive, this one included (empty when the store did not answer).
    @discardableResult
    public func join(now: Date = Date()) async -> [String] {
        do {
            let nodes = try await outbox.heartbeat(node: node, now: now, window: Self.window)
            let count = max(1, nodes.count)
            endpoints.setShare(1 / Double(count))
            Gauge(label: "herald_cluster_nodes").record(count)
            return nodes
        } catch {
            logger.warning("cannot record this node's heartbeat; keeping the last share of endpoint limits",
                           metadata: ["error": "\(error)"])
            return []
        }
    }

    public func run() async throws {
        Gauge(label: "herald_node_info", dimensions: [("node", node)]).record(1)
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            await join()
            _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.interval) }
        }
    }
}
