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
        let argv = asServer && getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--", command] + arguments : [command] + arguments
        let (status, text) = try Self.spawn(argv)
        guard status == 0 else {
            let log = (try? String(contentsOfFile: "\(folder)/server.log", encoding: .utf8)).map { "\nserver.log:\n" + $0.suffix(2000) } ?? ""
            throw Failure(description: "\(command) \(arguments.joined(separator: " ")) exited with \(status): \(text)\(log)")
        }
        return text
    }

    /// Runs `argv` to its end with its output in a file (not a pipe: `pg_ctl start` leaves the server
    /// running, and a server holding a pipe's end would keep a reader waiting for ever), and returns
    /// its exit status and output. posix_spawn and waitpid rather than Foundation's Process, whose
    /// termination watch can miss a child that exits while another is being started.
    public static func spawn(_ argv: [String]) throws -> (status: Int32, output: String) {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("herald-pg-output-\(UUID().uuidString)").path
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var pid = pid_t()
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
        guard spawned == 0 else { throw Failure(description: "cannot run \(argv[0]): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw Failure(description: "waiting for \(argv[0]) failed: errno \(errno)") }
        }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // WIFEXITED / WEXITSTATUS, which Swift does not import.
        let exited = status & 0x7f == 0
        return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), output)
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
