import Foundation
import Glibc

/// A running `herald sink` on free ports, killed by `stop()`.
final class RunningSink: @unchecked Sendable {
    let process: Process
    let output: Pipe
    let errors: Pipe
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
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        func lines(_ pipe: Pipe) -> [String] {
            let data = (try? pipe.fileHandleForReading.readToEnd()) ?? Data()
            return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        }
        return (lines(output), lines(errors))
    }
}
