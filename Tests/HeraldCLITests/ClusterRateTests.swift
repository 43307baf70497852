import Foundation
import Glibc
import HeraldTestSupport
import Testing

/// An endpoint's `rate` is a limit for the cluster, not for each node: three nodes delivering to a
/// `rate: 50/s` endpoint together stay within 50 a second, measured where it matters, at the
/// receiver (the sink's receipt times). Each node takes a third of the rate (ClusterMembership);
/// without that share the three would send 150 a second.
@Suite struct ClusterRateTests {
    static let rate = 50.0
    /// The cluster's burst: each node's bucket holds one second of its share, rounded up (17 of
    /// 16.7/s), so three full buckets hold 51.
    static let burst = 3 * Int((rate / 3).rounded(.up))
    /// Receipt times are not send times: a request reaches the sink after a latency that varies by
    /// tens of milliseconds on a loaded machine, so a window of receipts may hold the sends of a
    /// window this much longer. 200 ms is ten messages at the limit, 0.2 % of the run's length per
    /// second of run; far below the 150 a second the cluster would send without its share.
    static let jitter = 0.2

    @Test func threeNodesTogetherKeepAnEndpointsRate() async throws {
        let postgres = try TestPostgres.shared()
        let database = try postgres.freshDatabase()
        let cluster = try RunningCluster(store: postgres.url(database: database), names: ["a", "b", "c"],
                                         endpoint: ", rate: 50/s, concurrency: 64")
        defer { cluster.stop(signal: SIGKILL) }
        let session = RunningCluster.session(timeout: 10)

        // Before any event, every node has seen all three (its share is a third).
        for node in cluster.nodes {
            var nodes = 0.0
            for _ in 0..<200 where nodes != 3 {
                let metrics = await RunningCluster.get("/metrics", port: node.port, session: session)?.text ?? ""
                nodes = metrics.split(separator: "\n").first { $0.hasPrefix("herald_cluster_nodes ") }
                    .flatMap { $0.split(separator: " ").last }.flatMap { Double($0) } ?? 0
                if nodes != 3 { try await Task.sleep(for: .milliseconds(100)) }
            }
            try #require(nodes == 3, "node on port \(node.port) counts \(nodes) nodes, not 3")
        }

        // 600 events, in batches of 50 spread over the three nodes, all at once.
        let total = 600
        let batch = 50
        let statuses = await withTaskGroup(of: Int.self) { group in
            for start in stride(from: 0, to: total, by: batch) {
                let port = cluster.nodes[(start / batch) % cluster.nodes.count].port
                let body = "[" + (start..<start + batch).map { RunningCluster.event(id: "rate-\($0)") }.joined(separator: ",") + "]"
                group.addTask { await RunningCluster.post(body, port: port, session: session)?.status ?? 0 }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        try #require(statuses.allSatisfy { $0 == 202 }, "\(statuses)")

        var distinct = 0
        for _ in 0..<600 where distinct < total {
            try await Task.sleep(for: .milliseconds(100))
            distinct = Set(RunningCluster.Receipt.parse(cluster.sink.stdoutLines).map(\.delivery)).count
        }
        let receipts = cluster.stop()
        #expect(distinct == total, "only \(distinct) of \(total) messages arrived within 60 s")
        #expect(receipts.count == total, "every message is sent once: \(receipts.count) receipts")

        let times = receipts.map { Double($0.receivedAt) / 1000 }.sorted()
        guard let first = times.first, let last = times.last, last > first else {
            Issue.record("no receipts to measure")
            return
        }
        // In every window of receipts, at most the cluster's burst plus the rate over the window
        // (stretched by the latency jitter): a token bucket's guarantee, summed over the nodes.
        var worst = (excess: -Double.infinity, count: 0, seconds: 0.0)
        var busiestSecond = 0
        var end = 0
        for start in times.indices {
            for stop in start..<times.count {
                let seconds = times[stop] - times[start]
                let count = stop - start + 1
                let excess = Double(count) - Self.rate * (seconds + Self.jitter)
                if excess > worst.excess { worst = (excess, count, seconds) }
            }
            while end + 1 < times.count, times[end + 1] - times[start] < 1 { end += 1 }
            busiestSecond = max(busiestSecond, end - start + 1)
        }
        #expect(worst.excess <= Double(Self.burst),
                "\(worst.count) messages within \(worst.seconds) s: more than \(Self.burst) + \(Self.rate)/s × (\(worst.seconds) + \(Self.jitter)) s")
        // Over the whole run, beyond the burst, the rate at the receiver (the bound above over the
        // run's length, ~11 s: within 2 % of the limit; 5 % allowed).
        let seconds = last - first
        let steady = Double(times.count - Self.burst) / seconds
        #expect(steady <= Self.rate * 1.05, "\(times.count) messages in \(seconds) s: \(steady)/s beyond the burst")
        print("""
            cluster rate: \(total) messages to a \(Int(Self.rate))/s endpoint from 3 nodes arrived over \
            \(String(format: "%.2f", seconds)) s: \(String(format: "%.1f", Double(times.count - 1) / seconds))/s overall, \
            \(String(format: "%.1f", steady))/s beyond the burst of \(Self.burst); at most \(busiestSecond) in any one second
            """)
    }
}
