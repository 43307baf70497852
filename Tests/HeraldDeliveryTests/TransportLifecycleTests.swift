import Foundation
import HeraldCore
import Testing

@testable import HeraldDelivery
import HeraldTestSupport

/// Cancellation, shutdown and teardown of the transport's thread, with requests in flight.
@Suite("Transport: lifecycle")
struct TransportLifecycleTests {
    let settings = TransportSettings(connectTimeout: .seconds(5), timeout: .seconds(30))

    @Test func cancellingTheTaskAbandonsItsRequest() async throws {
        let server = try LoopbackHTTPServer { _ in .hang }
        let transport = CurlTransport()
        let settings = settings
        let task = Task { await transport.send(HTTPRequest(url: server.baseURL + "/"), settings: settings) }
        try await waitUntil { server.requests.count == 1 }
        task.cancel()
        let result = await task.value
        guard case .failure(.other(let code, _)) = result else {
            Issue.record("expected .other(42), got \(result)")
            return
        }
        #expect(code == 42)
        // The transport goes on working.
        let next = await transport.send(HTTPRequest(url: "http://127.0.0.1:\(try ExternalServer.freePort())/"), settings: settings)
        guard case .failure(.connect) = next else {
            Issue.record("expected .connect after a cancellation, got \(next)")
            return
        }
    }

    @Test func alreadyCancelledTaskDoesNotSend() async throws {
        let server = try LoopbackHTTPServer()
        let transport = CurlTransport()
        let settings = settings
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await transport.send(HTTPRequest(url: server.baseURL + "/"), settings: settings)
        }
        guard case .failure(.other(42, _)) = await task.value else {
            Issue.record("expected a cancelled failure")
            return
        }
        #expect(server.requests.isEmpty)
    }

    @Test func shutdownFailsInFlightRequestsAndLaterOnes() async throws {
        let server = try LoopbackHTTPServer { _ in .hang }
        let transport = CurlTransport()
        let settings = settings
        let inFlight = (0..<3).map { index in
            Task { await transport.send(HTTPRequest(url: server.baseURL + "/\(index)"), settings: settings) }
        }
        try await waitUntil { server.requests.count == 3 }
        transport.shutdown()
        for task in inFlight {
            let result = await task.value
            guard case .failure(.connectionLost) = result else {
                Issue.record("expected .connectionLost, got \(result)")
                continue
            }
        }
        let later = await transport.send(HTTPRequest(url: server.baseURL + "/later"), settings: settings)
        guard case .failure(.connectionLost) = later else {
            Issue.record("expected .connectionLost after shutdown, got \(later)")
            return
        }
        transport.shutdown()  // a second call is harmless
    }

    @Test func gracefulShutdownLetsRequestsFinish() async throws {
        let server = try LoopbackHTTPServer { _ in .respond(status: 200, body: [1], delay: .milliseconds(500)) }
        let transport = CurlTransport()
        let settings = settings
        let task = Task { await transport.send(HTTPRequest(url: server.baseURL + "/"), settings: settings) }
        try await waitUntil { server.requests.count == 1 }
        await transport.shutdown(gracePeriod: .seconds(20))
        let response = try await task.value.get()
        #expect(response.body == [1])
    }

    @Test func gracefulShutdownAbortsWhatOutlastsTheGracePeriod() async throws {
        let server = try LoopbackHTTPServer { _ in .hang }
        let transport = CurlTransport()
        let settings = settings
        let task = Task { await transport.send(HTTPRequest(url: server.baseURL + "/"), settings: settings) }
        try await waitUntil { server.requests.count == 1 }
        await transport.shutdown(gracePeriod: .milliseconds(200))
        guard case .failure(.connectionLost) = await task.value else {
            Issue.record("expected .connectionLost")
            return
        }
    }

    @Test func droppingTheTransportEndsItsThread() async throws {
        let server = try LoopbackHTTPServer()
        for _ in 0..<20 {
            let transport = CurlTransport()
            let response = try await transport.send(HTTPRequest(url: server.baseURL + "/"), settings: settings).get()
            #expect(response.status == 200)
        }
        #expect(server.requests.count == 20)
    }

    /// Polls `condition` for up to a minute (a bound against hanging, generous for a loaded machine).
    private func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("condition not met within 60 s")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
