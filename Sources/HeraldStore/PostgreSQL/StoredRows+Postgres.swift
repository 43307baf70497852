import Foundation
import NIOCore
import PostgresNIO

extension StoredRows {
    /// A delivery as a claim's `RETURNING` gives it: leased under the lease the row now holds.
    static func claimed(_ row: PostgresRow) throws -> ClaimedDelivery {
        let row = row.makeRandomAccess()
        let what = "a claimed delivery"
        let lease = Lease(owner: try row.column("lease_owner", in: what) ?? "", token: try row.column("lease_token", in: what),
                          until: StoredTime.date(milliseconds: try row.column("lease_until", in: what) ?? 0))
        return try claimed(row, lease: lease)
    }
}

extension PostgresRandomAccessRow: StoredRow {
    func column(_ name: String, in what: @autoclosure () -> String) throws -> String { try value(name, in: what()) }
    func column(_ name: String, in what: @autoclosure () -> String) throws -> String? { try value(name, in: what()) }
    func column(_ name: String, in what: @autoclosure () -> String) throws -> Int { try value(name, in: what()) }
    func column(_ name: String, in what: @autoclosure () -> String) throws -> Int? { try value(name, in: what()) }
    func column(_ name: String, in what: @autoclosure () -> String) throws -> Int64 { try value(name, in: what()) }
    func column(_ name: String, in what: @autoclosure () -> String) throws -> Int64? { try value(name, in: what()) }
    func column(_ name: String, in what: @autoclosure () -> String) throws -> Bool { try value(name, in: what()) }
}

extension PostgresRandomAccessRow {
    /// The value of `column`, or ``StoreFailure/corrupt(_:)`` naming `what` row it is.
    func value<Value: PostgresDecodable>(_ column: String, in what: @autoclosure () -> String) throws -> Value {
        guard contains(column) else { throw StoreFailure.corrupt("\(what()): no column \(column)") }
        do {
            return try self[column].decode(Value.self)
        } catch {
            throw StoreFailure.corrupt("\(what()): column \(column): \(error)")
        }
    }

    /// A BYTEA column's bytes.
    func bytes(_ column: String, in what: @autoclosure () -> String) throws -> [UInt8] {
        let buffer: ByteBuffer = try value(column, in: what())
        return Array(buffer.readableBytesView)
    }
}
