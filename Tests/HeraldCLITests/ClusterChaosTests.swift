import Foundation
import Glibc
import HeraldTestSupport
import Synchronization
import Testing

/// Issue 12's promise for a cluster: three `herald serve` nodes on one PostgreSQL database keep
/// every event they answered 202 for, deliver it, store it once and send it twice only when a lease
/// was lost — while one node is killed with SIGKILL and the database itself crashes and comes back.
///
/// Clients post distinct events round-robin to the three nodes; a client whose node does not answer
/// or answers 5xx resends the same event id to the next node until one answers 202. Mid-load node
/// `a` is killed (and stays dead); later, still under load, PostgreSQL is stopped with
/// `pg_ctl stop -m immediate` and restarted two seconds later. Then the test waits for every
/// delivery and checks the sink's receipts against the database's `events`, `deliveries` and
/// `attempts`.
@Suite struct ClusterChaosTests {
    /// The lease: short, so that the killed node's deliveries are rescued within seconds.
    static let lease = 4
    /// The hook's timeout. With the lease, a send starts at most `lease − timeout − 2 s` after its
    /// lease was taken and is over by `lease − 2 s` (Dispatcher's lease margin).
    static let timeout = 1

    final class Tally: Sendable {
        struct State {
            /// Event ids answered 202, with whether that 202 said "duplicate" (an earlier try was
            /// committed but its answer never reached the client).
            var accepted: [String: Bool] = [:]
            var refused: [String] = []
            var unanswered: [String] = []
            var unavailable = 0
            var otherErrors = 0
            var noAnswer = 0
            var resent = 0
        }

        let state = Mutex(State())
        var acceptedCount: Int { state.withLock { $0.accepted.count } }
        /// Client lanes that have finished.
        let clientsDone = Atomic<Int>(0)
        /// When node a was killed, the database crashed and was restarted (ms since 1970).
        let times = Mutex<(kill: Int64, crash: Int64, restarted: Int64)>((0, 0, 0))
        /// Why the database could not be crashed or restarted, if so.
        let outage = Mutex<String?>(nil)
    }

    /// Milliseconds since 1970, as the sink and the store write times.
    static func nowMS() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    @Test func threeNodesKeepEveryPromiseThroughANodeKillAndADatabaseCrash() async throws {
        let postgres = try TestPostgres.start(fsync: false)
        defer {
            postgres.stop()
            postgres.remove()
        }
        let database = try postgres.freshDatabase()
        let cluster = try RunningCluster(store: postgres.url(database: database), names: ["a", "b", "c"],
                                         endpoint: ", timeout: \(Self.timeout)s, concurrency: 64",
                                         delivery: "{lease: \(Self.lease)s, workers: 16}")
        defer { cluster.stop(signal: SIGKILL) }
        let ports = cluster.nodes.map(\.port)
        let session = RunningCluster.session(timeout: 5)

        let total = 1500
        let lanes = 12
        let killAfter = 300
        let crashAfter = 800
        let tally = Tally()

        // A bound on the whole load, so that a wedged cluster fails the test instead of hanging it.
        let loadDeadline = Date().addingTimeInterval(90)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<lanes {
                group.addTask {
                    defer { tally.clientsDone.add(1, ordering: .relaxed) }
                    for index in stride(from: lane, to: total, by: lanes) {
                        let id = "chaos-\(index)"
                        let event = RunningCluster.event(id: id)
                        var node = index % ports.count
                        let deadline = min(loadDeadline, Date().addingTimeInterval(60))
                        var tries = 0
                        while true {
                            guard Date() < deadline else {
                                tally.state.withLock { $0.unanswered.append(id) }
                                break
                            }
                            tries += 1
                            let reply = await RunningCluster.post(event, port: ports[node], session: session)
                            if let reply, reply.status == 202 {
                                let duplicate = (reply.object["duplicates"] as? Int) == 1
                                tally.state.withLock { state in
                                    state.accepted[id] = duplicate
                                    if tries > 1 { state.resent += 1 }
                                }
                                break
                            }
                            if let reply, (400..<500).contains(reply.status), reply.status != 408, reply.status != 429 {
                                tally.state.withLock { $0.refused.append("\(id): \(reply.status) \(reply.object)") }
                                break
                            }
                            tally.state.withLock { state in
                                switch reply?.status {
                                case 503?: state.unavailable += 1
                                case nil: state.noAnswer += 1
                                default: state.otherErrors += 1
                                }
                            }
                            node = (node + 1) % ports.count
                            try await Task.sleep(for: .milliseconds(50))
                        }
                    }
                }
            }
            // The trouble, driven by progress: kill node a, later crash the database, then restart it.
            group.addTask {
                func reached(_ count: Int) async throws -> Bool {
                    while tally.acceptedCount < count {
                        if tally.clientsDone.load(ordering: .relaxed) == lanes { return false }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    return true
                }
                guard try await reached(killAfter) else { return }
                kill(cluster.nodes[0].process.processIdentifier, SIGKILL)
                tally.times.withLock { $0.kill = Self.nowMS() }
                guard try await reached(crashAfter) else { return }
                do {
                    try await RunningCluster.offPool { try postgres.crash() }
                    tally.times.withLock { $0.crash = Self.nowMS() }
                    try await Task.sleep(for: .seconds(2))
                    try await RunningCluster.offPool { try postgres.restart() }
                    tally.times.withLock { $0.restarted = Self.nowMS() }
                } catch {
                    tally.outage.withLock { $0 = "\(error)" }
                }
            }
            try await group.waitForAll()
        }
        let (killedAt, crashedAt, restartedAt) = tally.times.withLock { $0 }
        let outcome = tally.state.withLock { $0 }
        #expect(tally.outage.withLock { $0 } == nil, "the database could not be crashed and restarted: \(tally.outage.withLock { $0 } ?? "")")
        #expect(killedAt > 0 && crashedAt > 0 && restartedAt > 0, "the kill and the crash happened under load")
        #expect(outcome.refused.isEmpty, "events refused for good: \(outcome.refused.prefix(5))")
        #expect(outcome.unanswered.isEmpty, "events no node accepted within 60 s: \(outcome.unanswered.prefix(5))")
        #expect(cluster.nodes[0].process.terminationReason == .uncaughtSignal, "node a was killed")

        // The survivors rode the outage out: alive, and ready again.
        let survivors = cluster.nodes.dropFirst()
        for node in survivors {
            #expect(node.process.isRunning, "node \(node.port) exited during the outage: \(node.stderr.suffix(2000))")
        }
        var readyAgainAt: Int64 = 0
        for node in survivors where node.process.isRunning {
            var ready = false
            for _ in 0..<300 where !ready {
                ready = await RunningCluster.get("/-/ready", port: node.port, session: session)?.status == 200
                if !ready { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(ready, "node on port \(node.port) is not ready 30 s after the database came back")
            readyAgainAt = max(readyAgainAt, Self.nowMS())
        }

        // Every accepted event delivered (the killed node's leases expire first).
        let promised = Set(outcome.accepted.keys)
        var deliveredCount = 0
        var drainedAt: Int64 = 0
        for _ in 0..<240 {
            let counts = try await RunningCluster.offPool {
                try postgres.rows("SELECT count(*) FILTER (WHERE status = 'delivered'), count(*) FROM deliveries", database: database)
            }
            deliveredCount = Int(counts.first?.first ?? "") ?? 0
            if deliveredCount >= promised.count, Set(RunningCluster.Receipt.parse(cluster.sink.stdoutLines).map(\.delivery)).count >= promised.count {
                drainedAt = Self.nowMS()
                break
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(drainedAt > 0, "\(promised.count - deliveredCount) accepted events not delivered 60 s after the load")

        let receipts = cluster.stop()
        for node in survivors {
            #expect(node.process.terminationReason == .exit && node.process.terminationStatus == 0, "a survivor stops cleanly on SIGTERM")
        }

        // Stored once: exactly the events answered 202, each once, each with one delivery.
        let stored = try postgres.rows("SELECT id, count(*) FROM events GROUP BY id", database: database)
        let storedIDs = Set(stored.map { $0[0] })
        #expect(stored.allSatisfy { $0[1] == "1" })
        #expect(storedIDs == promised, "stored but not answered 202: \(storedIDs.subtracting(promised).sorted().prefix(5)); answered 202 but not stored: \(promised.subtracting(storedIDs).sorted().prefix(5))")
        let deliveries = try postgres.rows("SELECT id, status, lease_token FROM deliveries", database: database)
        #expect(deliveries.count == promised.count)
        let notDelivered = deliveries.filter { $0[1] != "delivered" }.map { "\($0[0]): \($0[1])" }
        #expect(notDelivered.isEmpty, "deliveries not delivered: \(notDelivered.prefix(5))")
        let tokens = Dictionary(deliveries.map { ($0[0], Int64($0[2]) ?? 0) }, uniquingKeysWith: max)

        struct Attempt {
            var node: String
            var token: Int64
            var startedAt: Int64
            var durationMS: Int64
            var outcome: String
        }
        var attempts: [String: [Attempt]] = [:]
        for row in try postgres.rows("SELECT delivery_id, node, lease_token, started_at, duration_us, outcome FROM attempts ORDER BY id", database: database) {
            attempts[row[0], default: []].append(Attempt(node: row[1], token: Int64(row[2]) ?? -1, startedAt: Int64(row[3]) ?? 0,
                                                         durationMS: (Int64(row[4]) ?? 0) / 1000, outcome: row[5]))
        }
        var received: [String: [Int64]] = [:]
        for receipt in receipts { received[receipt.delivery, default: []].append(receipt.receivedAt) }

        // Delivered at the sink.
        let missing = promised.filter { received["\($0)/greet"] == nil }.sorted()
        #expect(missing.isEmpty, "answered 202 but never received by the sink: \(missing.prefix(10))")

        var problems: [String] = []
        var duplicates: [(delivery: String, first: Int64, rescued: Int64, node: String)] = []
        for id in promised.sorted() {
            let delivery = "\(id)/greet"
            let token = tokens[delivery] ?? 0
            let tried = attempts[delivery] ?? []
            // No attempt under a superseded lease: one per lease at most, none above the delivery's
            // last token, and none from the killed node after it died.
            if tried.contains(where: { $0.token > token || $0.token < 1 }) { problems.append("\(delivery): attempt token above \(token): \(tried)") }
            if Set(tried.map(\.token)).count != tried.count { problems.append("\(delivery): two attempts under one lease: \(tried)") }
            if tried.contains(where: { $0.node == "a" && $0.startedAt > killedAt }) { problems.append("\(delivery): attempt by node a after its kill") }
            // The delivering attempt held the last lease: nobody took the delivery over after it.
            let delivering = tried.filter { $0.outcome == "delivered" }
            guard delivering.count == 1, let last = delivering.first else {
                problems.append("\(delivery): \(delivering.count) delivered attempts: \(tried)")
                continue
            }
            if last.token != token { problems.append("\(delivery): delivered under token \(last.token), but the delivery's lease is \(token)") }
            // Sent twice only when a lease was lost. Each send needs a lease of its own (leases are
            // numbered 1, 2, … by `lease_token`); the last receipt is the delivering attempt's send; and
            // every earlier one is over at least the lease margin (2 s) before that attempt started,
            // because a send ends by its lease's expiry less 2 s and the rescuing claim comes after
            // that expiry. Two nodes sending under overlapping leases would break the last rule.
            let times = (received[delivery] ?? []).sorted()
            guard let final = times.last else { continue }
            if times.count > token { problems.append("\(delivery): received \(times.count) times under \(token) leases") }
            if final < last.startedAt - 20 || final > last.startedAt + last.durationMS + 50 {
                problems.append("\(delivery): last received at \(final), outside its delivering attempt (\(last.startedAt) + \(last.durationMS) ms)")
            }
            for earlier in times.dropLast() {
                if earlier > last.startedAt - 1000 {
                    problems.append("\(delivery): received at \(earlier) and again by an attempt started \(last.startedAt - earlier) ms later, under lease \(last.token) of \(token)")
                }
                // A lease is lost only to trouble: the kill, or the database going away (records
                // that failed from just before the crash until the pools reconnected).
                let byKill = earlier <= killedAt + 50
                let byOutage = earlier >= crashedAt - 3000 && earlier <= max(restartedAt, readyAgainAt) + 5000
                if !byKill && !byOutage { problems.append("\(delivery): a lease was lost at \(earlier), away from the kill and the outage") }
                duplicates.append((delivery, earlier, last.startedAt, last.node))
            }
        }
        #expect(problems.isEmpty, "\(problems.count) problems: \(problems.prefix(10))")

        // What happened, for docs/cluster.md. A delivery rescued from node a: delivered by another
        // node after the kill and before the crash, under a lease that has no attempt of its own before it.
        let rescued = attempts.compactMap { entry -> Int64? in
            guard let last = entry.value.first(where: { $0.outcome == "delivered" }), last.node != "a",
                  last.startedAt > killedAt, last.startedAt < crashedAt, (tokens[entry.key] ?? 0) > Int64(entry.value.count) else { return nil }
            return last.startedAt - killedAt
        }
        let lastStartByA = attempts.values.flatMap { $0 }.filter { $0.node == "a" }.map(\.startedAt).max() ?? 0
        print("""
            cluster chaos: \(total) events posted, \(promised.count) answered 202 (\(outcome.accepted.values.filter { $0 }.count) as \
            duplicates of a try whose answer was lost), \(outcome.resent) resent to another node at least once; \(outcome.unavailable) \
            answers 503, \(outcome.otherErrors) other 5xx or 429, \(outcome.noAnswer) tries without an answer; node a killed after \
            \(killAfter) accepts (its last attempt started \(killedAt - lastStartByA) ms before); \(rescued.count) of its deliveries \
            rescued \(rescued.min() ?? 0)–\(rescued.max() ?? 0) ms after the kill; database down \(restartedAt - crashedAt) ms \
            (crash to restarted), survivors ready \(readyAgainAt - restartedAt) ms after the restart, all delivered \
            \(drainedAt - restartedAt) ms after it; the sink received \(receipts.count) messages for \(received.count) deliveries: \
            \(duplicates.count) sent twice (\(duplicates.filter { $0.first <= killedAt + 50 }.count) by node a before its kill, \
            \(duplicates.filter { $0.first > killedAt + 50 }.count) around the outage)
            """)
    }
}
