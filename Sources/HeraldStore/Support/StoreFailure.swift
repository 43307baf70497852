/// A failure found inside a database closure, where the outbox's path is not at hand;
/// ``Outbox`` turns it into an ``OutboxError`` with the path and the operation.
enum StoreFailure: Error {
    /// A stored value cannot be read back: which one and why.
    case corrupt(String)
    /// The caller asked for something impossible: what.
    case invalidInput(String)
    /// SQLite rolled a transaction back by itself partway (after an I/O error, say).
    case transactionLost
    /// A delivery id that is already stored (the event it was planned for, and the id).
    case duplicateDelivery(event: String, delivery: String)
    /// No connection to the database server could be had within this long.
    case unreachable(after: Duration)
    /// The database's schema was written by a newer Herald (its version, and the newest this one knows).
    case newerSchema(found: Int, known: Int)
}
