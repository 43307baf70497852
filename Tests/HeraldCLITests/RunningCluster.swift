import Foundation
import Glibc
import HeraldTestSupport
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Several `herald serve` nodes (`--node a`, `--node b`, …) on one PostgreSQL database, delivering
/// `greeting` events to one webhook endpoint, `hook`, on a recording `herald sink --json`.
/// `stop()` ends every node and the sink; the database server belongs to the caller.
final class RunningCluster: @unchecked Sendable {
    let sink: RunningSink
    let folder: URL
    let nodes: [RunningServer]
    let names: [String]
    private let stopped = Atomic<Bool>(false)

    /// `endpoint` is added to the hook endpoint's settings (`, rate: 50/s`), `delivery` is
    /// herald.yaml's `delivery:` value.
    init(store: String, names: [String], endpoint: String = "", delivery: String? = nil) throws {
        sink = try RunningSink(["--json"])
        folder = try RunningServer.folder(sinkPort: sink.port, rules: RunningServer.greetingRules(channel: "hook"))
        try """
            rules: rules
            listen: 127.0.0.1:0
            store: \(store)
            api_keys: [env:HERALD_API_KEY]
            endpoints:
              hook: {kind: webhook, url: "http://127.0.0.1:\(sink.port)/hook"\(endpoint)}
            \(delivery.map { "delivery: \($0)" } ?? "")
            """.write(to: folder.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        self.names = names
        var nodes: [RunningServer] = []
        for name in names {
            let node = try RunningServer(folder: folder, arguments: ["--node", name])
            guard node.port > 0 else {
                throw ClusterError("node \(name) did not start: \(node.stderr)")
            }
            nodes.append(node)
        }
        self.nodes = nodes
    }

    /// Stops the nodes still running (SIGTERM, or `signal`) and the sink; returns the sink's receipts.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) -> [Receipt] {
        guard !stopped.exchange(true, ordering: .relaxed) else { return [] }
        for node in nodes where node.process.isRunning { kill(node.process.processIdentifier, signal) }
        for node in nodes { node.stop(signal: signal) }
        let printed = sink.stop()
        try? FileManager.default.removeItem(at: folder)
        return Receipt.parse(printed.stdout)
    }

    /// A greeting event with this id: one message, delivery `ID/greet`, to the hook.
    static func event(id: String) -> String {
        #"{"id":"\#(id)","type":"greeting","data":{"phone":"+15550100","name":"\#(id)"}}"#
    }

    /// One message the sink took in: its delivery id and when (milliseconds since 1970).
    struct Receipt: Sendable {
        var delivery: String
        var receivedAt: Int64

        static func parse(_ lines: [String]) -> [Receipt] {
            lines.compactMap { line in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let delivery = object["delivery"] as? String, let at = (object["received_at"] as? NSNumber)?.int64Value else { return nil }
                return Receipt(delivery: delivery, receivedAt: at)
            }
        }
    }

    struct ClusterError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// A session whose requests give up after `seconds`, so that a client moves on from a node
    /// that hangs instead of waiting a minute.
    static func session(timeout seconds: Double) -> URLSession {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = seconds
        configuration.timeoutIntervalForResource = seconds
        configuration.httpMaximumConnectionsPerHost = 32
        return URLSession(configuration: configuration)
    }

    /// POSTs `body` to `/v1/events` on `port`; the status, or nil when the node did not answer.
    static func post(_ body: String, port: Int, session: URLSession) async -> (status: Int, object: [String: Any])? {
        guard let url = URL(string: "http://127.0.0.1:\(port)/v1/events") else { return nil }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(RunningServer.apiKey)", forHTTPHeaderField: "Authorization")
        guard let (data, response) = try? await session.data(for: request), let http = response as? HTTPURLResponse else { return nil }
        return (http.statusCode, ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any]) ?? [:])
    }

    /// `GET path` on `port`: the status and body, or nil when the node did not answer.
    static func get(_ path: String, port: Int, session: URLSession) async -> (status: Int, text: String)? {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)"),
              let (data, response) = try? await session.data(from: url), let http = response as? HTTPURLResponse else { return nil }
        return (http.statusCode, String(decoding: data, as: UTF8.self))
    }

    /// Runs blocking work (pg_ctl, waiting for a process) off the cooperative pool, which has only
    /// as many threads as cores: blocking one of two for seconds would stall the clients.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
        }
    }
}

extension TestPostgres {
    /// The rows `sql` returns on `database`, each split at `|` (psql's unaligned output).
    func rows(_ sql: String, database: String) throws -> [[String]] {
        try psql(sql, database: database).split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
    }
}
