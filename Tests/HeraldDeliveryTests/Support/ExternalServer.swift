import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real server program (nghttpd, Python's aiosmtpd) run for the length of a test on a free
/// loopback port, stopped with SIGTERM.
final class ExternalServer: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let port: Int
    private let process: Process
    /// The program's standard error goes to a file (a pipe nobody reads could fill and stall it).
    private let logPath: String

    /// Starts `executable` with the arguments for a free port and waits until it accepts connections.
    init(executable: String, arguments: (Int) -> [String], environment: [String: String]? = nil) throws {
        port = try Self.freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments(port)
        if let environment { process.environment = environment }
        logPath = NSTemporaryDirectory() + "herald-server-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(20)
        while !Self.accepts(port) {
            guard process.isRunning, ContinuousClock.now < deadline else {
                stop()
                let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                throw Failure(description: "\(executable) did not start listening on \(port): \(text)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: logPath)
    }

    /// Kills the program with SIGKILL: a child spawned from a Dispatch worker thread inherits that
    /// thread's blocked signals, SIGTERM among them, so `terminate()` may never be noticed.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// A port nobody listens on right now (the kernel's pick for an ephemeral bind).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw Failure(description: "bind: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// The first of `candidates` that exists and is executable (PATH is searched for bare names).
    static func executable(_ candidates: [String]) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for candidate in candidates {
            let options = candidate.hasPrefix("/") ? [candidate] : path.split(separator: ":").map { "\($0)/\(candidate)" }
            if let found = options.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        }
        return nil
    }

    /// Runs a program to completion; its exit status.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// A temporary directory, removed when the value goes away.
final class TemporaryDirectory: @unchecked Sendable {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "herald-transport-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A self-signed certificate for 127.0.0.1 and localhost, made by the openssl tool.
struct TestCertificate {
    let keyPath: String
    let certificatePath: String

    init(in directory: TemporaryDirectory) throws {
        keyPath = directory.path + "/key.pem"
        certificatePath = directory.path + "/cert.pem"
        guard let openssl = ExternalServer.executable(["/usr/bin/openssl", "openssl"]) else {
            throw ExternalServer.Failure(description: "openssl is not installed (scripts/install-deps installs it)")
        }
        let status = try ExternalServer.run(openssl, [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", keyPath, "-out", certificatePath,
        ])
        guard status == 0 else { throw ExternalServer.Failure(description: "openssl req failed with status \(status)") }
    }
}
