import Dispatch
import GRDB
import Synchronization

/// Copies the WAL back into the database file from a connection of its own, so the writer never
/// does it: SQLite's automatic checkpoint runs inside the commit that crosses its threshold, and
/// with it the checkpoint's copying and its two fsyncs, while every accept queued behind that
/// commit waits. Here a passive checkpoint (which never blocks writers or readers) runs on a
/// background thread at most every `interval`, kicked by commits; the writer keeps a high
/// automatic threshold only as a backstop for when these cannot keep up.
final class Checkpointer: Sendable {
    /// The writer's automatic checkpoint threshold, in pages (SQLite's default is 1,000).
    static let writerBackstopPages = 16_000

    private let connection: DatabaseQueue
    private let interval: Duration
    private struct State {
        var running = false
        var last: ContinuousClock.Instant?
        var closed = false
    }
    private let state = Mutex(State())
    /// Checkpoints and the close run one at a time, here.
    private let queue = DispatchQueue(label: "Herald outbox checkpoints", qos: .utility)

    init(path: String, interval: Duration = .milliseconds(250)) throws {
        var configuration = Configuration()
        configuration.label = "Herald outbox checkpoints"
        connection = try DatabaseQueue(path: path, configuration: configuration)
        self.interval = interval
    }

    /// Starts a checkpoint in the background unless one is running or one started less than
    /// `interval` ago.
    func kick() {
        let now = ContinuousClock.now
        let start = state.withLock { state -> Bool in
            guard !state.running, !state.closed else { return false }
            if let last = state.last, last.duration(to: now) < interval { return false }
            state.running = true
            state.last = now
            return true
        }
        guard start else { return }
        queue.async { [connection] in
            // Closed meanwhile: the connection is gone. A failed checkpoint loses nothing: the WAL
            // is simply copied later.
            if !self.state.withLock({ $0.closed }) {
                _ = try? connection.writeWithoutTransaction { try $0.checkpoint(.passive) }
            }
            self.state.withLock { $0.running = false }
        }
    }

    /// Runs a last checkpoint and closes the connection, after any checkpoint under way; kicks
    /// afterwards do nothing.
    func close() {
        queue.sync { [connection] in
            let wasClosed = state.withLock { state in
                let was = state.closed
                state.closed = true
                return was
            }
            guard !wasClosed else { return }
            _ = try? connection.writeWithoutTransaction { try $0.checkpoint(.passive) }
            try? connection.close()
        }
    }
}
