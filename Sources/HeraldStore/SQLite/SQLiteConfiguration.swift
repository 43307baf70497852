/// How an ``Outbox`` opens its SQLite database.
///
/// The defaults suit a gateway that must not lose an accepted event when its process crashes;
/// pick ``Synchronous-swift.enum/full`` when it must not lose one when the machine loses power
/// either (see ``Outbox`` for exactly what each mode keeps).
public struct SQLiteConfiguration: Sendable, Hashable {
    /// SQLite's `PRAGMA synchronous` for the writer connection, in WAL mode.
    public enum Synchronous: String, Sendable, Hashable, CaseIterable {
        /// `NORMAL`: a commit appends to the WAL without waiting for the disk; the WAL is synced at
        /// checkpoints. Survives a crash of the process (the operating system still has the
        /// pages); after a power loss or kernel panic the most recent commits may roll back.
        case normal = "NORMAL"
        /// `FULL`: every commit waits for the WAL to reach the disk (one `fsync`). Survives power
        /// loss too, at the cost of one fsync per transaction — which group commit shares.
        case full = "FULL"

        /// The value `PRAGMA synchronous` reads back as (1 for NORMAL, 2 for FULL).
        var pragmaValue: Int {
            switch self {
            case .normal: 1
            case .full: 2
            }
        }
    }

    /// Durability of a commit: `.normal` (the default) or `.full`.
    public var synchronous: Synchronous
    /// How long a connection waits for a lock another process holds before failing with
    /// `SQLITE_BUSY` (only another process, such as a backup or the `sqlite3` shell, can hold one:
    /// inside Herald writes are serialized).
    public var busyTimeout: Duration
    /// The most acceptances (events) one group-commit transaction takes. A caller's batch is never
    /// split, so one larger batch still goes in whole, in a transaction of its own.
    public var maxGroupSize: Int
    /// The most connections reading at once (`event(id:)`, `deliveries(…)`, `depth(now:)`), beside
    /// the one writer.
    public var maximumReaderCount: Int

    public init(
        synchronous: Synchronous = .normal,
        busyTimeout: Duration = .seconds(5),
        maxGroupSize: Int = 500,
        maximumReaderCount: Int = 4
    ) {
        self.synchronous = synchronous
        self.busyTimeout = busyTimeout
        self.maxGroupSize = maxGroupSize
        self.maximumReaderCount = maximumReaderCount
    }
}
