import Foundation
import HeraldCore
import HeraldDelivery
import HeraldStore
import Logging
import Testing

@testable import HeraldServer

/// The worker pool's bound: the intake's hand-off reservations and the loop's claims share the
/// same `workers` slots, so attempts in flight never exceed them. A real outbox in a temporary
/// folder; the deliveries' stored messages cannot be read, so each is settled at once (dead)
/// and the claims come fast.
@Suite struct DeliveryWorkersInFlightTests {
    /// `count` events of rule `first`, each with one delivery due now whose stored message cannot
    /// be read (a worker settles it as dead at once).
    static func acceptUnreadable(_ count: Int, into outbox: SQLiteStore) async throws {
        let now = Date()
        _ = try await outbox.accept((0..<count).map { index in
            Acceptance(event: NewEvent(id: "e-\(index)", receivedAt: now, body: Array("{}".utf8), matchedRules: ["first"], idempotencyKey: nil),
                       deliveries: [NewDelivery(id: "e-\(index)/first", rule: "first", channels: ["hook"], message: Array("not json".utf8), dueAt: now)])
        })
    }

    @Test func claimsAndHandOffReservationsNeverTakeMoreThanTheWorkers() async throws {
        let folder = try GatewayReloadTests.Folder(ruleID: "first")
        defer { folder.remove() }
        let transport = CurlTransport()
        defer { transport.shutdown() }
        let gateway = try Gateway(configFile: folder.configFile, secrets: SecretStore(environment: [:]), transport: transport)
        let outbox = try SQLiteStore(path: folder.url.appendingPathComponent("outbox.sqlite").path)
        try await Self.acceptUnreadable(300, into: outbox)
        let workers = DeliveryWorkers(outbox: outbox, gateway: gateway, capacity: 2, lease: .seconds(60), logger: Logger(label: "test"),
                                      pollInterval: .milliseconds(5))
        let running = Task { try await workers.run() }
        // The intake, meanwhile: reserving slots as an accept would, and giving them back. New
        // deliveries take slots even while the outbox holds due ones, so a bounded number of
        // rounds: an intake that never stopped could keep both slots from the claims for ever.
        var reservations = 0
        for _ in 0..<500 {
            let reserved = workers.reserve(upTo: 2)
            reservations += reserved
            await Task.yield()
            workers.handOff([], reserved: reserved)
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while try await outbox.depth(now: Date()).pending > 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(try await outbox.depth(now: Date()).pending == 0, "the claims settled every delivery")
        #expect(reservations > 0)
        running.cancel()
        _ = try? await running.value
        #expect(workers.inFlightHighWaterMark >= 1)
        #expect(workers.inFlightHighWaterMark <= 2, "reservations made: \(reservations)")
    }

    /// Deliveries the intake could not hand over (the pool was full) wait in the outbox: ingest
    /// counts that wait as lag until the loop has claimed every due one.
    @Test func deliveriesLeftInTheOutboxCountAsLagUntilTheLoopHasClaimedThem() async throws {
        let folder = try GatewayReloadTests.Folder(ruleID: "first")
        defer { folder.remove() }
        let transport = CurlTransport()
        defer { transport.shutdown() }
        let gateway = try Gateway(configFile: folder.configFile, secrets: SecretStore(environment: [:]), transport: transport)
        let outbox = try SQLiteStore(path: folder.url.appendingPathComponent("outbox.sqlite").path)
        try await Self.acceptUnreadable(40, into: outbox)
        let workers = DeliveryWorkers(outbox: outbox, gateway: gateway, capacity: 2, lease: .seconds(60), logger: Logger(label: "test"),
                                      pollInterval: .seconds(60))
        #expect(workers.spillLag == .zero)
        workers.spilled()
        try await Task.sleep(for: .milliseconds(20))
        #expect(workers.spillLag >= .milliseconds(20))
        let running = Task { try await workers.run() }
        let deadline = ContinuousClock.now + .seconds(30)
        while workers.spillLag > .zero, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(workers.spillLag == .zero)
        #expect(try await outbox.depth(now: Date()).due == 0, "every due delivery was claimed")
        running.cancel()
        _ = try? await running.value
    }
}
