import Foundation
import Glibc
import HeraldTestSupport
import Testing

/// `herald serve` on a real PostgreSQL store: the node's name in each attempt, the CLI reading the
/// same store, and the database going away and coming back.
@Suite(.serialized) struct ServePostgresTests {
    @Test func aNodeOnPostgreSQLDeliversAnswers503WhileTheDatabaseIsDownAndRecovers() async throws {
        let database = try TestPostgres.start(fsync: false)
        defer { database.stop(); database.remove() }
        let name = try database.freshDatabase()
        // A test that fails early leaves no process running: the sink and the server kill theirs when released.
        let sink = try RunningSink()
        let folder = try RunningServer.folder(sinkPort: sink.port)
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("herald.yaml")
        try String(contentsOf: config, encoding: .utf8)
            .replacingOccurrences(of: "store: sqlite:data/herald.db", with: "store: \(database.url(database: name))\nnode: bank-node-1")
            .write(to: config, atomically: true, encoding: .utf8)
        let server = try RunningServer(folder: folder, environment: RunningServer.secrets)
        #expect(server.port > 0, "\(server.stderr)")

        // Accepted, delivered, and the attempt says which node made it.
        let accepted = try await server.post("/v1/events", ServeCommandTests.fraud(id: "evt-pg-1"))
        #expect(accepted.status == 202, "\(accepted.text)")
        let record = try await server.poll("/v1/events/evt-pg-1") { object in
            ((object["deliveries"] as? [[String: Any]])?.first?["status"] as? String) == "delivered"
        }
        let attempt = try #require(((record["deliveries"] as? [[String: Any]])?.first?["attempts"] as? [[String: Any]])?.first)
        #expect(attempt["node"] as? String == "bank-node-1")
        #expect(try database.psql("SELECT node FROM attempts", database: name).trimmingCharacters(in: .whitespacesAndNewlines) == "bank-node-1")

        // The CLI reads the same database.
        let listed = try HeraldProcess.run(["deliveries", "--config", config.path, "--status", "delivered", "--json"], in: folder)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("evt-pg-1/card-fraud-check"))

        // The database goes away: nothing is accepted, and the sender is told to come back.
        try database.crash()
        let refused = try await server.post("/v1/events", ServeCommandTests.fraud(id: "evt-pg-2"))
        #expect(refused.status == 503, "\(refused.text)")
        #expect(refused.object["type"] as? String == "https://herald.dev/problems/store-unavailable")
        #expect(refused.headers["retry-after"] == "2")
        #expect(try await server.request("GET", "/-/ready", key: nil).status == 503)

        // It comes back: the same event is accepted (once) and delivered.
        try database.restart()
        var status = 0
        for _ in 0..<100 where status != 202 {
            status = try await server.post("/v1/events", ServeCommandTests.fraud(id: "evt-pg-2")).status
            if status != 202 { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(status == 202)
        _ = try await server.poll("/v1/events/evt-pg-2") { object in
            ((object["deliveries"] as? [[String: Any]])?.first?["status"] as? String) == "delivered"
        }
        #expect(try await server.request("GET", "/-/ready", key: nil).status == 200)
        #expect(try database.psql("SELECT count(*) FROM events WHERE id = 'evt-pg-2'", database: name)
            .trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        #expect(server.stop() == 0, "\(server.stderr)")
        // Each event's message reached the customer once.
        let delivered = sink.stop().stdout.filter { $0.hasPrefix("whatsapp → ") }
        #expect(delivered.count == 2, "\(delivered)")
    }
}
