/// Why an ``Outbox`` operation failed. It names the database file and the operation (the delivery
/// or event id where there is one) and carries the underlying SQLite or file-system error; it never
/// holds an event's body or a message, which may carry personal data.
public struct OutboxError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New kinds may be added without breaking callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case cannotOpen = "cannot open"
            case database = "database error"
            case corruptRow = "corrupt row"
            case invalidInput = "invalid input"
            case unavailable = "database unavailable"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The file or its folder cannot be created or opened, is not an SQLite database, or its
        /// schema cannot be brought up to date (or is newer than this Herald knows).
        public static let cannotOpen = Code(.cannotOpen)
        /// A read or write failed: disk full, I/O error, a lock held too long, the outbox closed.
        public static let database = Code(.database)
        /// A stored value cannot be read back (the file was edited by hand or damaged).
        public static let corruptRow = Code(.corruptRow)
        /// The caller asked for something the outbox cannot do, such as a channel index past a
        /// delivery's channels or a delivery with no channel.
        public static let invalidInput = Code(.invalidInput)
        /// The database server cannot be reached (refused, restarting, the connection dropped):
        /// nothing was stored by the call; trying again later may work.
        public static let unavailable = Code(.unavailable)

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// The database file.
    public var path: String
    /// What was being done, in words: "claiming deliveries", "recording an attempt of evt-1/otp".
    public var operation: String
    /// What went wrong, in words, when the underlying error does not say it.
    public var reason: String?
    /// The SQLite (`GRDB.DatabaseError`) or file-system error behind this one.
    public var underlying: (any Error)?

    public init(code: Code, path: String, operation: String, reason: String? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.path = path
        self.operation = operation
        self.reason = reason
        self.underlying = underlying
    }

    public var description: String {
        var text = "outbox \(path): \(operation) failed (\(code))"
        if let reason { text += ": \(reason)" }
        if let underlying { text += ": \(underlying)" }
        return text
    }
}
