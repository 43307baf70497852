import Foundation
import HeraldStore
import HeraldTestSupport
import Synchronization
import Testing

/// PostgreSQL crashes (`pg_ctl stop -m immediate`) while accepts are committing, and comes back:
/// the calls in flight fail as `.unavailable`, and once the server is back the store accepts again.
@Suite struct PostgresOutageTests {
    final class Load: Sendable {
        let running = Atomic<Bool>(true)
        let accepted = Atomic<Int>(0)
        let unavailable = Atomic<Int>(0)
        let other = Mutex<[String]>([])
    }

    @Test func acceptsCommitAgainAfterTheDatabaseCrashesUnderLoad() async throws {
        let server = try TestPostgres.start(fsync: false)
        defer {
            server.stop()
            server.remove()
        }
        let database = try server.freshDatabase()
        let store = try await PostgresStore(configuration: PostgresConfiguration(
            host: "127.0.0.1", port: server.port, username: server.user, database: database, tls: .disable))
        let load = Load()
        // Unstructured on purpose: an accept that never returns must not hang the test itself.
        let lanes = (0..<8).map { lane in
            Task {
                var index = 0
                while load.running.load(ordering: .relaxed) {
                    index += 1
                    do {
                        _ = try await store.accept([acceptance("outage-\(lane)-\(index)")], leasing: nil)
                        load.accepted.add(1, ordering: .relaxed)
                    } catch let error as OutboxError where error.code == .unavailable {
                        load.unavailable.add(1, ordering: .relaxed)
                        try? await Task.sleep(for: .milliseconds(20))
                    } catch {
                        load.other.withLock { $0.append("\(error)") }
                    }
                }
            }
        }
        while load.accepted.load(ordering: .relaxed) < 200 { try await Task.sleep(for: .milliseconds(10)) }
        try server.crash()
        try await Task.sleep(for: .seconds(1))
        try server.restart()
        let restarted = Date()

        // Within 30 s of the restart, new accepts commit again (each try bounded, so a hang shows).
        let before = load.accepted.load(ordering: .relaxed)
        var recovered = false
        for attempt in 0..<30 where !recovered {
            recovered = await Self.within(.seconds(1)) {
                (try? await store.accept([acceptance("probe-\(attempt)")], leasing: nil)) != nil
            } ?? false
            if !recovered { try await Task.sleep(for: .seconds(1)) }
        }
        let recoveredAfter = Date().timeIntervalSince(restarted)
        #expect(recovered, "no accept committed within 30 s of the database's restart")
        for _ in 0..<100 where load.accepted.load(ordering: .relaxed) < before + 100 { try await Task.sleep(for: .milliseconds(100)) }
        #expect(load.accepted.load(ordering: .relaxed) >= before + 100, "the load's accepts did not resume")
        #expect(load.other.withLock { $0 }.isEmpty, "errors other than unavailable: \(load.other.withLock { $0 }.prefix(3))")
        load.running.store(false, ordering: .relaxed)
        var stuck = 0
        for lane in lanes where await Self.within(.seconds(10), { await lane.value }) == nil { stuck += 1 }
        print("outage: recovered after \(recoveredAfter) s; load accepted \(before) before, \(load.accepted.load(ordering: .relaxed)) after, \(load.unavailable.load(ordering: .relaxed)) unavailable; \(stuck) lanes stuck")
        try? await store.close()
    }

    /// `body`'s result, or nil when it takes longer than `limit` (then `body` is left running: a
    /// call that never returns could not be waited for).
    static func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async -> T) async -> T? {
        return await withCheckedContinuation { continuation in
            let once = Once(continuation)
            Task { once.resume(await body()) }
            Task {
                try? await Task.sleep(for: limit)
                once.resume(nil)
            }
        }
    }
}

/// A continuation resumed by whichever caller comes first.
private final class Once<T: Sendable>: Sendable {
    let continuation: Mutex<CheckedContinuation<T?, Never>?>
    init(_ continuation: CheckedContinuation<T?, Never>) { self.continuation = Mutex(continuation) }
    func resume(_ value: T?) { continuation.withLock { $0.take() }?.resume(returning: value) }
}
