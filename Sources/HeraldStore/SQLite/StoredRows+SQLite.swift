import Foundation
import GRDB

extension StoredRows {
    /// `delivery` with its attempts, oldest first.
    static func withAttempts(_ delivery: DeliveryRecord, in db: Database) throws -> DeliveryRecord {
        var delivery = delivery
        let statement = try db.cachedStatement(
            sql: "SELECT \(attemptColumns) FROM attempts WHERE delivery_id = ? ORDER BY id")
        delivery.attempts = try Row.fetchAll(statement, arguments: [delivery.id]).map(attempt)
        return delivery
    }
}

extension Row: StoredRow {
    func column(_ name: String, in what: @autoclosure () -> String) throws -> String { try value(name, in: what()) }
    func column(_ name: String, in what: @autoclosure () -> String) throws -> String? { try value(name, in: what()) }
    func column(_ name: String, in what: @autoclosure () -> String) throws -> Int { try value(name, in: what()) }
    func column(_ name: String, in what: @autoclosure () -> String) throws -> Int? { try value(name, in: what()) }
    func column(_ name: String, in what: @autoclosure () -> String) throws -> Int64 { try value(name, in: what()) }
    func column(_ name: String, in what: @autoclosure () -> String) throws -> Int64? { try value(name, in: what()) }
    /// SQLite keeps a flag as an INTEGER, 0 or 1.
    func column(_ name: String, in what: @autoclosure () -> String) throws -> Bool { (try value(name, in: what()) as Int64) != 0 }
    func bytes(_ name: String, in what: @autoclosure () -> String) throws -> [UInt8] { [UInt8](try value(name, in: what()) as Data) }
}

extension Row {
    /// The value of `column`, or ``StoreFailure/corrupt(_:)`` naming `what` row it is.
    func value<Value: DatabaseValueConvertible>(_ column: String, in what: @autoclosure () -> String) throws -> Value {
        do {
            return try decode(Value.self, forColumn: column)
        } catch {
            throw StoreFailure.corrupt("\(what()): column \(column): \(error)")
        }
    }
}
