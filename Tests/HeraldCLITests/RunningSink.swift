import Foundation
import Glibc
import Synchronization

/// A running `herald sink` on free ports, killed by `stop()`. What it prints once ready is read
/// continuously, so a sink that takes thousands of messages never blocks on a full pipe.
final class RunningSink: @unchecked Sendable {
    let process: Process
    let output: Pipe
    let errors: Pipe
    private final class Collected: Sendable {
        let stdout = Mutex(Data())
        let stderr = Mutex(Data())
    }

    private let collected = Collected()
    private let drained = DispatchGroup()
    /// The HTTP port.
    let port: Int
    /// The SMTP port, when started with `smtp: true` (else 0).
    let smtpPort: Int

    init(_ arguments: [String] = [], smtp: Bool = false) throws {
        process = Process()
        process.executableURL = HeraldProcess.executable
        process.arguments = ["sink", "--listen", "127.0.0.1:0"] + (smtp ? ["--smtp-listen", "127.0.0.1:0"] : []) + arguments
        output = Pipe()
        errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Each listener says where it listens on stderr once it is ready, in either order.
        var port = 0
        var smtpPort = 0
        while port == 0 || (smtp && smtpPort == 0), let line = RunningSink.readLine(errors.fileHandleForReading) {
            if line.hasPrefix("listening on http://127.0.0.1:") { port = Int(line.dropFirst("listening on http://127.0.0.1:".count)) ?? 0 }
            if line.hasPrefix("smtp listening on 127.0.0.1:") { smtpPort = Int(line.dropFirst("smtp listening on 127.0.0.1:".count)) ?? 0 }
        }
        self.port = port
        self.smtpPort = smtpPort
        let collected = self.collected
        for isOutput in [true, false] {
            let handle = (isOutput ? output : errors).fileHandleForReading
            let drained = self.drained
            drained.enter()
            Thread.detachNewThread {
                // availableData returns what is there; read(upToCount:) would wait for a full chunk.
                while case let chunk = handle.availableData, !chunk.isEmpty {
                    if isOutput { collected.stdout.withLock { $0 += chunk } } else { collected.stderr.withLock { $0 += chunk } }
                }
                drained.leave()
            }
        }
    }

    /// The lines printed on stdout so far (complete lines only).
    var stdoutLines: [String] {
        let text = collected.stdout.withLock { String(decoding: $0, as: UTF8.self) }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeLast()
        return lines.filter { !$0.isEmpty }
    }

    /// A test that ends early must not leave a sink running.
    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    static func readLine(_ handle: FileHandle) -> String? {
        var line = [UInt8]()
        while let byte = try? handle.read(upToCount: 1)?.first {
            if byte == 0x0A { return String(decoding: line, as: UTF8.self) }
            line.append(byte)
        }
        return line.isEmpty ? nil : String(decoding: line, as: UTF8.self)
    }

    /// Kills the sink; returns what it printed on stdout and stderr since it was ready.
    func stop() -> (stdout: [String], stderr: [String]) {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        drained.wait()
        func lines(_ data: Data) -> [String] {
            String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        }
        return (lines(collected.stdout.withLock { $0 }), lines(collected.stderr.withLock { $0 }))
    }
}
