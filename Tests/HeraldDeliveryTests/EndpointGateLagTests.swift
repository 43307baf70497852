import HeraldCore
import Testing

@testable import HeraldDelivery

/// An endpoint's lag, which ingest's backpressure reads: about how long a delivery arriving now
/// would wait for a slot. A gate of two slots, a clock stepped by hand.
@Suite struct EndpointGateLagTests {
    @Test func lagIsTheQueuesShareOfTheSlotsAtTheRecentRoundTripAtMostTheOldestWait() async throws {
        let clock = SteppingClock()
        let gate = EndpointGate(settings: DeliverySettings(concurrency: 2, adaptiveConcurrency: false))
        #expect(await gate.admit(clock: clock) == .go(wait: .zero))
        #expect(await gate.admit(clock: clock) == .go(wait: .zero))
        #expect(gate.lag(at: clock.now()) == .zero, "nobody waits")
        var waiting: [Task<EndpointGate.Admission, Never>] = []
        for _ in 0..<4 { waiting.append(Task { await gate.admit(clock: clock) }) }
        while gate.waiting < 4 { await Task.yield() }
        await clock.sleep(for: .milliseconds(100))
        #expect(gate.lag(at: clock.now()) == .milliseconds(100), "no round trip known yet: the oldest wait")
        // An attempt took 40 ms: three wait for two slots, about 60 ms.
        gate.release(outcome: .delivered(providerID: nil), at: clock.now(), roundTrip: .milliseconds(40))
        #expect(await waiting[0].value == .go(wait: .zero))
        #expect(gate.waiting == 3)
        #expect(gate.lag(at: clock.now()) == .milliseconds(60))
        await clock.sleep(for: .milliseconds(10))
        #expect(gate.lag(at: clock.now()) == .milliseconds(60))
        // Nothing finishes for half a second: the endpoint stopped answering, and the lag grows with it.
        await clock.sleep(for: .milliseconds(500))
        #expect(gate.lag(at: clock.now()) == .milliseconds(510))
        for _ in 0..<3 { gate.release(outcome: .delivered(providerID: nil), at: clock.now(), roundTrip: .milliseconds(40)) }
        for task in waiting.dropFirst() { #expect(await task.value == .go(wait: .zero)) }
        #expect(gate.lag(at: clock.now()) == .zero)
    }
}
