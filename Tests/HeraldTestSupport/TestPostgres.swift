import Foundation
import Synchronization

/// A throwaway PostgreSQL server for tests: Debian's `postgresql` binaries, `initdb` into a
/// temporary folder and `pg_ctl` on a free loopback port — no system service, nothing left behind.
///
/// ``shared`` is one server for the whole test process (each test takes a database of its own with
/// ``freshDatabase()``); the chaos test starts its own with ``start(fsync:)`` so that it can crash
/// and restart it. As root (CI), the server runs as the `postgres` user, since PostgreSQL refuses
/// to run as root.
public final class TestPostgres: Sendable {
    public let folder: String
    public let port: Int
    public let user = "herald"
    private let binaries: String

    /// Why the server could not be started: the command, its status and what it printed.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private init(folder: String, port: Int, binaries: String) {
        self.folder = folder
        self.port = port
        self.binaries = binaries
    }

    /// The server every test of this process shares, started on first use and stopped at exit.
    public static func shared() throws -> TestPostgres {
        try sharedServer.withLock { server in
            if let server { return server }
            let started = try start(fsync: false)
            server = started
            atexit { TestPostgres.stopSharedAtExit() }
            return started
        }
    }

    private static let sharedServer = Mutex<TestPostgres?>(nil)

    private static func stopSharedAtExit() {
        let server = sharedServer.withLock { $0 }
        server?.stop()
        server?.remove()
    }

    /// Starts a new server in a new temporary folder. `fsync: false` is for speed where no test
    /// crashes the machine itself (a crash of PostgreSQL's processes keeps what the kernel has).
    public static func start(fsync: Bool) throws -> TestPostgres {
        let binaries = try findBinaries()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-pg-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let server = TestPostgres(folder: folder, port: try freePort(), binaries: binaries)
        if getuid() == 0 {
            try server.run("/bin/chown", ["-R", "postgres:postgres", folder], asServer: false)
        }
        try server.run("\(binaries)/initdb", ["-D", "\(folder)/data", "-U", server.user, "--auth=trust", "-E", "UTF8",
                                               "--locale=C", "--no-sync"])
        try server.startServer(fsync: fsync)
        return server
    }

    private func startServer(fsync: Bool) throws {
        let options = "-p \(port) -k \(folder) -c listen_addresses=127.0.0.1 -c fsync=\(fsync ? "on" : "off") "
            + "-c max_connections=300 -c shared_buffers=32MB"
        try run("\(binaries)/pg_ctl", ["-D", "\(folder)/data", "-o", options, "-l", "\(folder)/server.log", "-w", "-t", "60", "start"])
    }

    /// Starts the server again after ``crash()`` or ``stop()`` (crash recovery replays the WAL).
    public func restart(fsync: Bool = false) throws {
        try startServer(fsync: fsync)
    }

    /// `pg_ctl stop -m immediate`: every server process quits at once, without a checkpoint, as in a crash.
    public func crash() throws {
        try run("\(binaries)/pg_ctl", ["-D", "\(folder)/data", "-m", "immediate", "-w", "stop"])
    }

    /// Stops the server; errors are ignored (it may be stopped already).
    public func stop() {
        try? run("\(binaries)/pg_ctl", ["-D", "\(folder)/data", "-m", "immediate", "-w", "stop"])
    }

    /// Deletes the folder (after ``stop()``).
    public func remove() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// A new, empty database on this server; returns its name.
    public func freshDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try psql("CREATE DATABASE \(name)")
        return name
    }

    /// Runs one SQL statement with psql on `database`; returns what it printed (unaligned, tuples only).
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") throws -> String {
        try run("\(binaries)/psql", ["-h", "127.0.0.1", "-p", "\(port)", "-U", user, "-d", database, "-X", "-q", "-A", "-t",
                                      "-v", "ON_ERROR_STOP=1", "-c", sql], asServer: false)
    }

    /// `postgresql://herald@127.0.0.1:PORT/DATABASE`.
    public func url(database: String) -> String {
        "postgresql://\(user)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    // MARK: - Processes

    @discardableResult
    private func run(_ command: String, _ arguments: [String], asServer: Bool = true) throws -> String {
        let process = Process()
        if asServer && getuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", "postgres", "--", command] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: command)
            process.arguments = arguments
        }
        // A file, not a pipe: `pg_ctl start` leaves the server running, and a server that inherited
        // a pipe's end would keep a reader waiting for its end for ever.
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("herald-pg-output-\(UUID().uuidString)").path
        guard FileManager.default.createFile(atPath: outputPath, contents: nil), let output = FileHandle(forWritingAtPath: outputPath) else {
            throw Failure(description: "cannot create \(outputPath)")
        }
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            try? output.close()
            throw Failure(description: "cannot run \(command): \(error)")
        }
        process.waitUntilExit()
        try? output.close()
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            let log = (try? String(contentsOfFile: "\(folder)/server.log", encoding: .utf8)).map { "\nserver.log:\n" + $0.suffix(2000) } ?? ""
            throw Failure(description: "\(command) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus): \(text)\(log)")
        }
        return text
    }

    /// The newest installed PostgreSQL's binaries (Debian keeps them under /usr/lib/postgresql/N/bin).
    private static func findBinaries() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        guard let newest = versions.last else {
            throw Failure(description: "no PostgreSQL under \(root): run scripts/install-deps (Debian package 'postgresql')")
        }
        return "\(root)/\(newest)/bin"
    }

    /// A loopback port nobody listens on now.
    public static func freePort() throws -> Int {
        let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "cannot open a socket") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw Failure(description: "cannot bind a loopback socket") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
