import Foundation
import HeraldCore
import Testing

@testable import HeraldDelivery
import HeraldTestSupport

/// CurlTransport against a real loopback HTTP/1.1 server: what goes out, what comes back, and
/// every way the exchange can fail.
@Suite("Transport: HTTP exchange")
struct TransportHTTPTests {
    let settings = TransportSettings(connectTimeout: .seconds(5), timeout: .seconds(10))

    @Test func postArrivesIntactWithHeadersAndBody() async throws {
        let server = try LoopbackHTTPServer { _ in .respond(status: 200, body: Array(#"{"ok":true}"#.utf8)) }
        let transport = CurlTransport()
        let body = Array(#"{"text":"Ваш код: 4711 — ✈️ Gate B12"}"#.utf8)
        let request = HTTPRequest(
            url: server.baseURL + "/v19.0/1234/messages?x=1",
            headers: [
                (name: "Authorization", value: "Bearer token-123"),
                (name: "Content-Type", value: "application/json"),
                (name: "X-Herald-Delivery", value: "d-42"),
                (name: "X-Empty", value: ""),
            ],
            body: body
        )
        let result = await transport.send(request, settings: settings)
        let response = try result.get()
        #expect(response.status == 200)

        let received = try #require(server.requests.first)
        #expect(received.method == "POST")
        #expect(received.path == "/v19.0/1234/messages?x=1")
        #expect(received.body == body)
        #expect(received.header("Authorization") == "Bearer token-123")
        #expect(received.header("Content-Type") == "application/json")
        #expect(received.header("X-Herald-Delivery") == "d-42")
        #expect(received.header("X-Empty") == "")
        #expect(received.header("Content-Length") == String(body.count))
        #expect(received.header("Expect") == nil)
    }

    @Test func largeBodyIsSentWithoutExpectContinue() async throws {
        let server = try LoopbackHTTPServer()
        let transport = CurlTransport()
        let body = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let response = try await transport.send(HTTPRequest(url: server.baseURL + "/upload", body: body), settings: settings).get()
        #expect(response.status == 200)
        #expect(server.requests.first?.body == body)
        #expect(server.requests.first?.header("Expect") == nil)
    }

    @Test func noContentTypeIsInventedForABody() async throws {
        let server = try LoopbackHTTPServer()
        let transport = CurlTransport()
        _ = try await transport.send(HTTPRequest(url: server.baseURL + "/", body: Array("a=b".utf8)), settings: settings).get()
        #expect(server.requests.first?.header("Content-Type") == nil)
    }

    @Test(arguments: [
        ("GET", ""), ("DELETE", ""), ("PUT", "put-body"), ("PATCH", "patch-body"), ("POST", ""),
    ])
    func methodsAndBodies(method: String, body: String) async throws {
        let server = try LoopbackHTTPServer()
        let transport = CurlTransport()
        let request = HTTPRequest(method: method, url: server.baseURL + "/thing", body: Array(body.utf8))
        let response = try await transport.send(request, settings: settings).get()
        #expect(response.status == 200)
        let received = try #require(server.requests.first)
        #expect(received.method == method)
        #expect(received.body == Array(body.utf8))
    }

    @Test func headRequestHasNoBody() async throws {
        let server = try LoopbackHTTPServer { _ in .respond(status: 200, headers: [(name: "Content-Length", value: "5")]) }
        let transport = CurlTransport()
        let response = try await transport.send(HTTPRequest(method: "HEAD", url: server.baseURL + "/"), settings: settings).get()
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
        #expect(server.requests.first?.method == "HEAD")
    }

    @Test func statusHeadersAndBodyComeBack() async throws {
        let server = try LoopbackHTTPServer { _ in
            .respond(
                status: 201,
                headers: [
                    (name: "Content-Type", value: "application/json"),
                    (name: "Set-Cookie", value: "a=1"),
                    (name: "Set-Cookie", value: "b=2"),
                    (name: "X-Request-Id", value: "  padded  "),
                ],
                body: Array(#"{"messages":[{"id":"wamid.HBg"}]}"#.utf8)
            )
        }
        let transport = CurlTransport()
        let response = try await transport.send(HTTPRequest(url: server.baseURL + "/"), settings: settings).get()
        #expect(response.status == 201)
        #expect(response.header("content-type") == "application/json")
        #expect(response.headers.filter { $0.name == "Set-Cookie" }.map(\.value) == ["a=1", "b=2"])
        #expect(response.header("X-Request-Id") == "padded")
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"messages":[{"id":"wamid.HBg"}]}"#)
    }

    @Test func serverErrorsAreResponsesNotFailures() async throws {
        let server = try LoopbackHTTPServer { request in
            request.path == "/busy"
                ? .respond(status: 429, headers: [(name: "Retry-After", value: "2")], body: Array(#"{"code":20429}"#.utf8))
                : .respond(status: 500, body: Array("oops".utf8))
        }
        let transport = CurlTransport()
        let busy = try await transport.send(HTTPRequest(url: server.baseURL + "/busy"), settings: settings).get()
        #expect(busy.status == 429)
        #expect(busy.header("Retry-After") == "2")
        #expect(busy.body == Array(#"{"code":20429}"#.utf8))
        let broken = try await transport.send(HTTPRequest(url: server.baseURL + "/broken"), settings: settings).get()
        #expect(broken.status == 500)
        #expect(broken.body == Array("oops".utf8))
    }

    @Test func bodyIsCappedAtOneMebibyte() async throws {
        let big = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0) }
        let server = try LoopbackHTTPServer { _ in .respond(status: 200, body: big) }
        let transport = CurlTransport()
        let report = try await transport.exchange(HTTPRequest(method: "GET", url: server.baseURL + "/big"), settings: settings).get()
        #expect(report.response.status == 200)
        #expect(report.response.body == Array(big.prefix(1 << 20)))
        #expect(report.bodyTruncated)
    }

    @Test func keepAliveReusesOneConnection() async throws {
        let server = try LoopbackHTTPServer()
        let transport = CurlTransport()
        var opened: [Int] = []
        for index in 0..<20 {
            let report = try await transport.exchange(HTTPRequest(url: server.baseURL + "/\(index)", body: [1, 2, 3]), settings: settings).get()
            #expect(report.response.status == 200)
            #expect(report.httpVersion == 2)  // CURL_HTTP_VERSION_1_1: plain http:// stays on HTTP/1.1
            opened.append(report.newConnections)
        }
        #expect(server.requests.count == 20)
        #expect(server.acceptedConnections == 1)
        #expect(opened == [1] + Array(repeating: 0, count: 19))
    }

    @Test func manyConcurrentRequestsAllComplete() async throws {
        let server = try LoopbackHTTPServer { request in .respond(status: 200, body: Array(request.path.utf8)) }
        let transport = CurlTransport()
        let settings = settings
        let statuses = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<200 {
                group.addTask {
                    let result = await transport.send(HTTPRequest(url: server.baseURL + "/n/\(index)", body: Array("\(index)".utf8)), settings: settings)
                    guard case .success(let response) = result else { return false }
                    return response.status == 200 && response.body == Array("/n/\(index)".utf8)
                }
            }
            var all: [Bool] = []
            for await ok in group { all.append(ok) }
            return all
        }
        #expect(statuses.count == 200)
        #expect(statuses.allSatisfy { $0 })
        #expect(server.requests.count == 200)
        #expect(Set(server.requests.map(\.path)).count == 200)
    }

    // MARK: Failures

    @Test func closedPortIsAConnectFailure() async throws {
        let port = try ExternalServer.freePort()
        let transport = CurlTransport()
        let result = await transport.send(HTTPRequest(url: "http://127.0.0.1:\(port)/"), settings: settings)
        guard case .failure(.connect(let message)) = result else {
            Issue.record("expected .connect, got \(result)")
            return
        }
        #expect(message.contains("\(port)"))
    }

    @Test func hangingServerTimesOut() async throws {
        let server = try LoopbackHTTPServer { _ in .hang }
        let transport = CurlTransport()
        let started = ContinuousClock.now
        let result = await transport.send(HTTPRequest(url: server.baseURL + "/"), settings: TransportSettings(connectTimeout: .seconds(5), timeout: .seconds(1)))
        let elapsed = ContinuousClock.now - started
        guard case .failure(.timeout) = result else {
            Issue.record("expected .timeout, got \(result)")
            return
        }
        // libcurl reports CURLE_OPERATION_TIMEDOUT only once the 1 s budget is spent: never early.
        // (No upper bound: on a loaded machine that would be a timing assertion.)
        #expect(elapsed >= .milliseconds(900))
    }

    @Test func slowAnswerWithinTheTimeoutArrives() async throws {
        let server = try LoopbackHTTPServer { _ in .respond(status: 200, body: [7], delay: .milliseconds(300)) }
        let transport = CurlTransport()
        let response = try await transport.send(HTTPRequest(url: server.baseURL + "/"), settings: settings).get()
        #expect(response.body == [7])
    }

    @Test func resetIsALostConnection() async throws {
        let server = try LoopbackHTTPServer { _ in .reset }
        let transport = CurlTransport()
        let result = await transport.send(HTTPRequest(url: server.baseURL + "/"), settings: settings)
        guard case .failure(.connectionLost) = result else {
            Issue.record("expected .connectionLost, got \(result)")
            return
        }
    }

    @Test func closeWithoutAnswerIsALostConnection() async throws {
        let server = try LoopbackHTTPServer { _ in .close }
        let transport = CurlTransport()
        let result = await transport.send(HTTPRequest(url: server.baseURL + "/"), settings: settings)
        guard case .failure(.connectionLost) = result else {
            Issue.record("expected .connectionLost, got \(result)")
            return
        }
    }

    @Test func unresolvableHostIsAResolveFailure() async throws {
        let transport = CurlTransport()
        // A 70-character label is not a valid DNS name: the system resolver refuses it without
        // sending a query, so the test stays on this machine.
        let host = String(repeating: "a", count: 70) + ".invalid"
        let result = await transport.send(HTTPRequest(url: "http://\(host)/"), settings: settings)
        guard case .failure(.resolve) = result else {
            Issue.record("expected .resolve, got \(result)")
            return
        }
    }

    @Test(arguments: ["http://[::1", "file:///etc/passwd", "gopher://127.0.0.1/", "", "http://exa mple.com/"])
    func badURLsAreInvalidRequests(url: String) async throws {
        let transport = CurlTransport()
        let result = await transport.send(HTTPRequest(url: url), settings: settings)
        guard case .failure(.invalidRequest) = result else {
            Issue.record("expected .invalidRequest for '\(url)', got \(result)")
            return
        }
    }

    @Test func headerInjectionIsRefusedWithoutEchoingTheValue() async throws {
        let server = try LoopbackHTTPServer()
        let transport = CurlTransport()
        let request = HTTPRequest(url: server.baseURL + "/", headers: [(name: "Authorization", value: "Bearer s3cret\r\nX-Evil: 1")])
        let result = await transport.send(request, settings: settings)
        guard case .failure(.invalidRequest(let message)) = result else {
            Issue.record("expected .invalidRequest, got \(result)")
            return
        }
        #expect(!message.contains("s3cret"))
        #expect(server.requests.isEmpty)
        let badMethod = await transport.send(HTTPRequest(method: "PO ST", url: server.baseURL + "/"), settings: settings)
        guard case .failure(.invalidRequest) = badMethod else {
            Issue.record("expected .invalidRequest, got \(badMethod)")
            return
        }
    }

    @Test func failuresDoNotCarryTheAuthorizationValue() async throws {
        let port = try ExternalServer.freePort()
        let transport = CurlTransport()
        let result = await transport.send(
            HTTPRequest(url: "http://127.0.0.1:\(port)/", headers: [(name: "Authorization", value: "Bearer very-secret-token")]),
            settings: settings
        )
        guard case .failure(let failure) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(!failure.description.contains("very-secret-token"))
    }
}
