import Foundation
import HeraldCore
import Synchronization
import Testing

@testable import HeraldDelivery
import HeraldTestSupport

/// One engine: `deliver` is `step` in a loop. Endpoint gates shared through a registry by the
/// dispatchers a reload builds, scaled by a share, and waits in a gate bounded by a lease. Real
/// libcurl against loopback servers; a stepping clock instead of sleeping.
@Suite struct EndpointRegistryTests {
    static func whatsapp(_ server: LoopbackHTTPServer, _ settings: DeliverySettings) -> Endpoint {
        Endpoint(name: "whatsapp", kind: .whatsapp, url: server.baseURL + "/v23.0/1234567890/messages",
                 token: .environment("WHATSAPP_TOKEN"), delivery: settings)
    }

    @Test func deliverMakesTheSameAttemptsAsSteppingByHand() async throws {
        let whatsapp = try LoopbackHTTPServer { _ in .respond(status: 503) }
        let sms = try LoopbackHTTPServer { _ in .respond(status: 201, body: Array(DispatcherTests.twilioSID.utf8)) }
        defer { whatsapp.stop(); sms.stop() }
        func dispatcher(_ clock: SteppingClock) -> Dispatcher {
            Dispatcher(endpoints: DispatcherTests.endpoints(whatsapp: whatsapp, sms: sms), secrets: DispatcherTests.secrets,
                       transport: CurlTransport(), clock: clock)
        }
        let deliverClock = SteppingClock()
        let report = await dispatcher(deliverClock).deliver(DispatcherTests.message(), deliveryID: "d-1", eventID: "e-1")

        // The workers' way: one step at a time, carrying out what each says comes next.
        let clock = SteppingClock()
        let stepper = dispatcher(clock)
        var attempts: [DeliveryAttempt] = [], failovers: [String] = []
        var channel = 0, onChannel = 0
        var result: DeliveryReport.Result?
        while result == nil {
            let step = await stepper.step(DispatcherTests.message(), channelIndex: channel, attemptsOnChannel: onChannel,
                                          age: clock.now(), deliveryID: "d-1", eventID: "e-1")
            if let outcome = step.outcome, let name = step.channel {
                onChannel += 1
                attempts.append(DeliveryAttempt(channel: name, number: onChannel, outcome: outcome, at: clock.now()))
            }
            switch step.next {
            case .delivered(let name, let providerID): result = .delivered(channel: name, providerID: providerID)
            case .retry(let after), .wait(let after), .busy(let after): await clock.sleep(for: after)
            case .nextChannel(let index): failovers += step.note.map { [$0] } ?? []; (channel, onChannel) = (index, 0)
            case .dead(let reason): failovers += step.note.map { [$0] } ?? []; result = .failed(reason)
            }
        }
        #expect(report.attempts.map(\.channel) == ["whatsapp", "whatsapp", "whatsapp", "sms"])
        // The same attempts, at times apart only by the backoff's jitter.
        func untimed(_ attempts: [DeliveryAttempt]) -> [DeliveryAttempt] { attempts.map { var attempt = $0; attempt.at = .zero; return attempt } }
        #expect(untimed(report.attempts) == untimed(attempts))
        #expect(report.failovers == failovers)
        #expect(report.failovers.first?.hasPrefix("whatsapp: retries exhausted") == true, "\(report.failovers)")
        #expect(report.result == result)
        #expect(deliverClock.sleeps.count == 2 && clock.sleeps.count == 2, "a backoff wait before each retry")
    }

    @Test func dispatchersSharingARegistryShareTheBreaker() async throws {
        let failing = try LoopbackHTTPServer { _ in .respond(status: 500) }
        defer { failing.stop() }
        let registry = EndpointRegistry()
        let endpoints = [Self.whatsapp(failing, DeliverySettings(maxAttempts: 1))]
        let first = Dispatcher(endpoints: endpoints, secrets: DispatcherTests.secrets, transport: CurlTransport(), clock: SteppingClock(), registry: registry)
        for index in 0..<5 {
            _ = await first.step(DispatcherTests.message(channels: ["whatsapp"]), channelIndex: 0, attemptsOnChannel: 0, age: .zero,
                                 deliveryID: "d-\(index)", eventID: nil)
        }
        let second = Dispatcher(endpoints: endpoints, secrets: DispatcherTests.secrets, transport: CurlTransport(), clock: SteppingClock(), registry: registry)
        let step = await second.step(DispatcherTests.message(channels: ["whatsapp"]), channelIndex: 0, attemptsOnChannel: 0, age: .zero,
                                     deliveryID: "d-6", eventID: nil)
        #expect(step.outcome == nil && step.note == "whatsapp: circuit breaker open", "\(step)")
        #expect(failing.requests.count == 5)
    }

    @Test func aReloadUpdatesLimitsInPlaceAndDropsRemovedEndpoints() throws {
        let registry = EndpointRegistry()
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let endpoint = Self.whatsapp(server, DeliverySettings(ratePerSecond: 10, concurrency: 4))
        let sms = Endpoint(name: "sms", kind: .twilio, url: server.baseURL, token: .environment("TWILIO_AUTH_TOKEN"), account: "AC1",
                           from: "+15005550006", delivery: DeliverySettings())
        let gate = try #require(registry.gates(for: [endpoint, sms], at: .zero)["whatsapp"])
        var changed = endpoint
        changed.delivery = DeliverySettings(ratePerSecond: 5, concurrency: 2)
        let again = try #require(registry.gates(for: [changed], at: .zero)["whatsapp"])
        #expect(again === gate, "the same gate, changed in place")
        #expect(gate.concurrencyLimit == 2 && gate.rateLimit == 5)
        #expect(registry.endpointNames == ["whatsapp"], "sms was removed")
    }

    @Test(arguments: [(share: 0.25, rate: 2.5, concurrency: 2), (share: 0.3, rate: 3.0, concurrency: 3), (share: 0.01, rate: 0.1, concurrency: 1),
                      (share: 1.0, rate: 10.0, concurrency: 8)])
    func aShareScalesRateAndConcurrency(share: Double, rate: Double, concurrency: Int) throws {
        let registry = EndpointRegistry()
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let gate = try #require(registry.gates(for: [Self.whatsapp(server, DeliverySettings(ratePerSecond: 10, concurrency: 8))], at: .zero)["whatsapp"])
        registry.setShare(share, at: .zero)
        #expect(gate.concurrencyLimit == concurrency)
        #expect(abs((gate.rateLimit ?? 0) - rate) < 1e-9)
    }

    @Test func anUrgentAttemptDoesNotWaitForTheRateLimitPastItsLease() async throws {
        let whatsapp = try LoopbackHTTPServer { _ in .respond(status: 200, body: Array(DispatcherTests.wamid.utf8)) }
        defer { whatsapp.stop() }
        // One a minute: the second attempt would wait 60 s, and the lease has 30 s left.
        let dispatcher = Dispatcher(endpoints: [Self.whatsapp(whatsapp, DeliverySettings(ratePerSecond: 1.0 / 60, timeout: .seconds(5)))],
                                    secrets: DispatcherTests.secrets, transport: CurlTransport(), clock: SteppingClock())
        let message = DispatcherTests.message(channels: ["whatsapp"])
        let first = await dispatcher.step(message, channelIndex: 0, attemptsOnChannel: 0, age: .zero, deliveryID: "d-1", eventID: nil, leaseLeft: .seconds(30))
        #expect(first.next == .delivered(channel: "whatsapp", providerID: "wamid.OK"))
        let second = await dispatcher.step(message, channelIndex: 0, attemptsOnChannel: 0, age: .zero, deliveryID: "d-2", eventID: nil, leaseLeft: .seconds(30))
        #expect(second.next == .wait(.seconds(60)), "\(second)")
        #expect(second.outcome == nil && whatsapp.requests.count == 1)
    }

    /// A lease that has run out is not sent on, even with the gate idle: another worker may have
    /// taken the delivery over already.
    @Test func anAttemptIsNotSentUnderALeaseThatRanOut() async throws {
        let whatsapp = try LoopbackHTTPServer { _ in .respond(status: 200, body: Array(DispatcherTests.wamid.utf8)) }
        defer { whatsapp.stop() }
        let dispatcher = Dispatcher(endpoints: [Self.whatsapp(whatsapp, DeliverySettings(timeout: .seconds(5)))],
                                    secrets: DispatcherTests.secrets, transport: CurlTransport(), clock: SteppingClock())
        let message = DispatcherTests.message(channels: ["whatsapp"])
        for leaseLeft in [Duration.seconds(-1), .zero] {
            let step = await dispatcher.step(message, channelIndex: 0, attemptsOnChannel: 0, age: .zero, deliveryID: "d-1", eventID: nil, leaseLeft: leaseLeft)
            #expect(step.next == .busy(Dispatcher.busyRetry), "lease left \(leaseLeft): \(step)")
        }
        #expect(whatsapp.requests.isEmpty)
        let covered = await dispatcher.step(message, channelIndex: 0, attemptsOnChannel: 0, age: .zero, deliveryID: "d-1", eventID: nil, leaseLeft: .seconds(1))
        #expect(covered.next == .delivered(channel: "whatsapp", providerID: "wamid.OK"))
    }

    @Test func anAttemptDoesNotWaitForAConcurrencySlotPastItsLease() async throws {
        let whatsapp = try LoopbackHTTPServer { _ in .hang }
        defer { whatsapp.stop() }
        let dispatcher = Dispatcher(endpoints: [Self.whatsapp(whatsapp, DeliverySettings(concurrency: 1, timeout: .seconds(5), maxAttempts: 1))],
                                    secrets: DispatcherTests.secrets, transport: CurlTransport(), clock: SteppingClock())
        let message = DispatcherTests.message(channels: ["whatsapp"])
        let hanging = Task { await dispatcher.step(message, channelIndex: 0, attemptsOnChannel: 0, age: .zero, deliveryID: "d-1", eventID: nil) }
        while whatsapp.acceptedConnections == 0 { try await Task.sleep(for: .milliseconds(5)) }
        let second = await dispatcher.step(message, channelIndex: 0, attemptsOnChannel: 0, age: .zero, deliveryID: "d-2", eventID: nil, leaseLeft: .seconds(60))
        #expect(second.next == .busy(Dispatcher.busyRetry), "\(second)")
        #expect(second.note == "whatsapp: concurrency limit")
        _ = await hanging.value
        #expect(whatsapp.acceptedConnections == 1)
    }
}
