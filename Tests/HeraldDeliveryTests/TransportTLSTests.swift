import Foundation
import HeraldCore
import Testing

@testable import HeraldDelivery
import HeraldTestSupport

/// TLS and HTTP/2 through libcurl against nghttpd (Debian's nghttp2-server), an HTTP/2-only TLS
/// server with a self-signed certificate made for the test.
@Suite("Transport: TLS and HTTP/2")
struct TransportTLSTests {
    final class Fixture: Sendable {
        let directory: TemporaryDirectory
        let server: ExternalServer
        var baseURL: String { "https://127.0.0.1:\(server.port)" }

        init() throws {
            directory = try TemporaryDirectory()
            let certificate = try TestCertificate(in: directory)
            let htdocs = directory.path + "/htdocs"
            try FileManager.default.createDirectory(atPath: htdocs, withIntermediateDirectories: true)
            try "hello over h2\n".write(toFile: htdocs + "/hello.txt", atomically: true, encoding: .utf8)
            guard let nghttpd = ExternalServer.executable(["/usr/sbin/nghttpd", "/usr/bin/nghttpd", "nghttpd"]) else {
                throw ExternalServer.Failure(description: "nghttpd is not installed (scripts/install-deps installs nghttp2-server)")
            }
            server = try ExternalServer(executable: nghttpd, arguments: { port in
                ["--address=127.0.0.1", "--htdocs=" + htdocs, String(port), certificate.keyPath, certificate.certificatePath]
            })
        }
    }

    @Test func selfSignedCertificateIsRejectedByDefault() async throws {
        let fixture = try Fixture()
        let transport = CurlTransport()
        let result = await transport.send(HTTPRequest(method: "GET", url: fixture.baseURL + "/hello.txt"), settings: TransportSettings())
        guard case .failure(.tls) = result else {
            Issue.record("expected .tls, got \(result)")
            return
        }
    }

    @Test func insecureAcceptsItAndSpeaksHTTP2() async throws {
        let fixture = try Fixture()
        let transport = CurlTransport()
        let report = try await transport.exchange(
            HTTPRequest(method: "GET", url: fixture.baseURL + "/hello.txt"),
            settings: TransportSettings(insecure: true)
        ).get()
        #expect(report.response.status == 200)
        #expect(String(decoding: report.response.body, as: UTF8.self) == "hello over h2\n")
        #expect(report.httpVersion == 3)  // CURL_HTTP_VERSION_2_0
    }

    @Test func concurrentRequestsShareOneHTTP2Connection() async throws {
        let fixture = try Fixture()
        let transport = CurlTransport()
        let url = fixture.baseURL + "/hello.txt"
        let reports = await withTaskGroup(of: Result<CurlTransferReport, TransportFailure>.self) { group in
            for _ in 0..<20 {
                group.addTask { await transport.exchange(HTTPRequest(method: "GET", url: url), settings: TransportSettings(insecure: true)) }
            }
            var all: [Result<CurlTransferReport, TransportFailure>] = []
            for await report in group { all.append(report) }
            return all
        }
        let successes = reports.compactMap { try? $0.get() }
        #expect(successes.count == 20)
        #expect(successes.allSatisfy { $0.response.status == 200 && $0.httpVersion == 3 })
        #expect(successes.map(\.newConnections).reduce(0, +) == 1)
    }

    /// The plain-HTTP test server answers a TLS ClientHello with an HTTP 400, which OpenSSL reads
    /// as a record with a wrong version number: `.tls` (CURLE_SSL_CONNECT_ERROR). `insecure` changes
    /// nothing about that; it only skips verification.
    @Test(arguments: [false, true])
    func httpsToAPlainHTTPServerIsATLSFailure(insecure: Bool) async throws {
        let server = try LoopbackHTTPServer()
        let transport = CurlTransport()
        let result = await transport.send(
            HTTPRequest(url: "https://127.0.0.1:\(server.port)/"),
            settings: TransportSettings(timeout: .seconds(10), insecure: insecure)
        )
        guard case .failure(.tls) = result else {
            Issue.record("expected .tls, got \(result)")
            return
        }
        #expect(server.requests.isEmpty)
    }
}
