import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server on 127.0.0.1 for tests (transports, webhooks, an OTLP collector): real sockets, one thread per
/// connection, keep-alive, and a script that decides per request what to do — answer (after a
/// delay), hang, close, or reset the connection. It records every request and counts connections.
/// It stops when the value goes away (its threads hold only the `LoopbackHTTPServerCore`).
public final class LoopbackHTTPServer: Sendable {
    private let core: LoopbackHTTPServerCore

    /// Starts listening. `script` runs on the connection's thread, once per request.
    public init(_ script: @escaping @Sendable (Request) -> Behaviour = { _ in .respond(status: 200) }) throws {
        core = try LoopbackHTTPServerCore(script)
    }

    deinit {
        core.stop()
    }

    /// The port the server listens on.
    public var port: Int { core.port }
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    /// Every request received so far, in arrival order.
    public var requests: [Request] { core.requests }
    /// How many TCP connections the server has accepted.
    public var acceptedConnections: Int { core.acceptedConnections }

    /// Stops accepting and shuts every open connection down (their threads then end).
    public func stop() {
        core.stop()
    }

    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        public init(method: String, path: String, headers: [(name: String, value: String)], body: [UInt8]) {
            self.method = method
            self.path = path
            self.headers = headers
            self.body = body
        }

        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    public enum Behaviour: Sendable {
        /// Answer; `Content-Length` is added unless the headers have one.
        case respond(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = [], delay: Duration = .zero)
        /// Never answer; keep the connection open until the client gives up.
        case hang
        /// Close the connection without answering (the client sees an empty reply).
        case close
        /// Abort the connection with a TCP RST (SO_LINGER 0) without answering.
        case reset
    }

    public struct ServerError: Error, CustomStringConvertible {
        public var description: String
    }
}

/// The sockets and threads behind a `LoopbackHTTPServer`. The connection state is behind a
/// `Mutex`; each socket is read and written only by its own thread.
private final class LoopbackHTTPServerCore: @unchecked Sendable {
    typealias Request = LoopbackHTTPServer.Request
    typealias Behaviour = LoopbackHTTPServer.Behaviour
    typealias ServerError = LoopbackHTTPServer.ServerError

    let port: Int

    private struct State {
        var requests: [Request] = []
        var connections = 0
        var open: Set<Int32> = []
        var stopped = false
    }

    private let listener: Int32
    private let script: @Sendable (Request) -> Behaviour
    private let state = Mutex(State())

    init(_ script: @escaping @Sendable (Request) -> Behaviour) throws {
        self.script = script
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError(description: "socket: errno \(errno)") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 1024) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw ServerError(description: "bind/listen: errno \(errno)")
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "loopback-http-accept"
        thread.start()
    }

    var requests: [Request] { state.withLock { $0.requests } }

    var acceptedConnections: Int { state.withLock { $0.connections } }

    func stop() {
        state.withLock { state in
            guard !state.stopped else { return }
            state.stopped = true
            Glibc.shutdown(listener, Int32(SHUT_RDWR))
            for fd in state.open { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    // MARK: Threads

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                break
            }
            let admitted = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.connections += 1
                state.open.insert(fd)
                return true
            }
            guard admitted else {
                close(fd)
                break
            }
            let thread = Thread { [self] in serve(fd) }
            thread.name = "loopback-http-conn"
            thread.start()
        }
        close(listener)
    }

    private func serve(_ fd: Int32) {
        var buffer: [UInt8] = []
        var reset = false
        connection: while let request = readRequest(fd, &buffer) {
            guard let request else {
                // Not HTTP (a TLS ClientHello, say): answer as a plain HTTP server would.
                writeAll(fd, Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
                break
            }
            state.withLock { $0.requests.append(request) }
            switch script(request) {
            case .respond(let status, let headers, let body, let delay):
                if delay > .zero { Thread.sleep(forTimeInterval: Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18) }
                var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
                for header in headers { head += "\(header.name): \(header.value)\r\n" }
                if !headers.contains(where: { $0.name.lowercased() == "content-length" }) {
                    head += "Content-Length: \(body.count)\r\n"
                }
                head += "\r\n"
                guard writeAll(fd, Array(head.utf8) + (request.method == "HEAD" ? [] : body)) else { break connection }
                if request.header("Connection")?.lowercased() == "close" { break connection }
            case .hang:
                // Wait for the client to give up (or for stop()).
                var sink = [UInt8](repeating: 0, count: 4096)
                while recv(fd, &sink, sink.count, 0) > 0 {}
                break connection
            case .close:
                break connection
            case .reset:
                reset = true
                break connection
            }
        }
        if reset {
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        }
        state.withLock { state in
            state.open.remove(fd)
            close(fd)
        }
    }

    /// The next request on the connection: nil at end of stream, `.some(nil)` for bytes that are not HTTP.
    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8]) -> Request?? {
        let terminator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while true {
            if let first = buffer.first, !(UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first) { return .some(nil) }
            if let end = Self.find(terminator, in: buffer) {
                headEnd = end
                break
            }
            guard read(fd, into: &buffer) else { return nil }
        }
        guard let headEnd else { return nil }
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3 else { return .some(nil) }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        let length = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
        let bodyStart = headEnd + terminator.count
        while buffer.count < bodyStart + length {
            guard read(fd, into: &buffer) else { return nil }
        }
        let body = Array(buffer[bodyStart..<bodyStart + length])
        buffer.removeFirst(bodyStart + length)
        return Request(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: body)
    }

    private func read(_ fd: Int32, into buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = recv(fd, &chunk, chunk.count, 0)
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[..<count])
        return true
    }

    @discardableResult
    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<start + needle.count].elementsEqual(needle) {
            return start
        }
        return nil
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}
