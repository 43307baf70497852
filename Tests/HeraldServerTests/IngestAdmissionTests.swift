import Synchronization
import Testing

@testable import HeraldServer

/// Ingest's pushback by delivery lag, with the lag set by hand: a request goes at once under the
/// target, is held while over it and let go when an attempt finishes and the lag is back under,
/// and is refused past the limit or after being held that long.
@Suite struct IngestAdmissionTests {
    final class Box<Value: Sendable>: Sendable {
        let value: Mutex<Value>
        init(_ value: Value) { self.value = Mutex(value) }
        func set(_ new: Value) { value.withLock { $0 = new } }
        func read() -> Value { value.withLock { $0 } }
    }

    final class Lag: Sendable {
        let value = Mutex(Duration.zero)
        func set(_ lag: Duration) { value.withLock { $0 = lag } }
        func read() -> Duration { value.withLock { $0 } }
    }

    @Test func underTheTargetARequestGoesAtOnce() async {
        let admission = IngestAdmission(target: .milliseconds(25), limit: .seconds(1))
        #expect(await admission.admit { .milliseconds(25) } == .admitted(held: .zero))
        #expect(admission.holding == 0)
    }

    @Test func pastTheLimitARequestIsRefusedAtOnce() async {
        let admission = IngestAdmission(target: .milliseconds(25), limit: .seconds(1))
        #expect(await admission.admit { .seconds(2) } == .refused(lag: .seconds(2)))
    }

    @Test func overTheTargetARequestIsHeldUntilAnAttemptFinishesWithTheLagBackUnder() async throws {
        let admission = IngestAdmission(target: .milliseconds(25), limit: .seconds(600))
        let lag = Lag()
        lag.set(.milliseconds(200))
        let request = Task { await admission.admit { lag.read() } }
        while admission.holding == 0 { await Task.yield() }
        // An attempt finishes but deliveries still lag: the request stays held.
        admission.progress()
        #expect(admission.holding == 1)
        lag.set(.milliseconds(10))
        admission.progress()
        guard case .admitted(let held) = await request.value else {
            Issue.record("the request was not admitted")
            return
        }
        #expect(held > .zero)
        #expect(admission.holding == 0)
    }

    @Test func aRequestHeldForTheLimitIsRefused() async {
        let admission = IngestAdmission(target: .milliseconds(25), limit: .milliseconds(50))
        let outcome = Box<IngestAdmission.Decision?>(nil)
        let request = Task { outcome.set(await admission.admit { .milliseconds(40) }) }
        while admission.holding == 0 { await Task.yield() }
        // Nothing finishes; the ticks wake it until it has been held 50 ms.
        while outcome.read() == nil {
            admission.tick()
            try? await Task.sleep(for: .milliseconds(5))
        }
        await request.value
        #expect(outcome.read() == .refused(lag: .milliseconds(40)))
    }

    @Test func heldRequestsGoInTheOrderTheyCame() async {
        let admission = IngestAdmission(target: .milliseconds(25), limit: .seconds(600))
        let lag = Lag()
        lag.set(.milliseconds(100))
        let order = Box<[Int]>([])
        let first = Task { _ = await admission.admit { lag.read() }; order.value.withLock { $0.append(1) } }
        while admission.holding < 1 { await Task.yield() }
        let second = Task { _ = await admission.admit { lag.read() }; order.value.withLock { $0.append(2) } }
        while admission.holding < 2 { await Task.yield() }
        lag.set(.zero)
        admission.progress()
        await first.value
        #expect(order.read() == [1])
        admission.progress()
        await second.value
        #expect(order.read() == [1, 2])
    }

    @Test func closingRefusesWhatIsHeldAndWhatComesAfter() async {
        let admission = IngestAdmission(target: .milliseconds(25), limit: .seconds(600))
        let request = Task { await admission.admit { .milliseconds(100) } }
        while admission.holding == 0 { await Task.yield() }
        admission.close()
        #expect(await request.value == .refused(lag: .milliseconds(100)))
        #expect(await admission.admit { .milliseconds(100) } == .refused(lag: .milliseconds(100)))
        #expect(await admission.admit { .zero } == .admitted(held: .zero))
    }
}
