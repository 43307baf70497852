import NIOCore
import PostgresNIO

/// Columns of a multi-row statement, bound as one array each and read back with `unnest`: one
/// statement for a whole group of rows, not one per row.
///
/// postgres-nio binds arrays without NULL elements, so a nullable column travels as its values
/// (a placeholder where there is none) and a parallel array of flags, and the selection puts the
/// NULLs back (`CASE WHEN flag THEN NULL ELSE value END`).
struct UnnestColumns {
    private(set) var binds = PostgresBindings()
    private var inputs: [String] = []
    private(set) var selections: [String] = []

    mutating func text(_ values: [String]) { selections.append(input(values, "text")) }
    mutating func int64(_ values: [Int64]) { selections.append(input(values, "int8")) }
    mutating func bool(_ values: [Bool]) { selections.append(input(values, "bool")) }
    mutating func bytes(_ values: [[UInt8]]) { selections.append(input(values.map { ByteBuffer(bytes: $0) }, "bytea")) }
    mutating func text(_ values: [String?]) { nullable(values.map { $0 ?? "" }, "text", flags: values.map { $0 == nil }) }
    mutating func int64(_ values: [Int64?]) { nullable(values.map { $0 ?? 0 }, "int8", flags: values.map { $0 == nil }) }

    /// An attempt's columns as `attempts` stores them, from `channel` to `node`.
    mutating func attempts(_ records: [AttemptRecord]) {
        text(records.map(\.channel))
        int64(records.map { Int64($0.number) })
        int64(records.map { StoredTime.milliseconds($0.startedAt) })
        int64(records.map { StoredTime.microseconds($0.duration) })
        text(records.map(\.outcome))
        text(records.map(\.providerID))
        text(records.map(\.errorCode))
        text(records.map(\.errorMessage))
        text(records.map(\.node))
    }

    /// `SELECT <each column> FROM unnest(<arrays>) AS u(c1, …)`.
    var select: String {
        let names = (1...max(1, inputs.count)).map { "c\($0)" }.joined(separator: ", ")
        return "SELECT \(selections.joined(separator: ", ")) FROM unnest(\(inputs.joined(separator: ", "))) AS u(\(names))"
    }

    private mutating func nullable<T: PostgresArrayEncodable & PostgresNonThrowingEncodable>(_ values: [T], _ type: String, flags: [Bool]) {
        let value = input(values, type)
        let flag = input(flags, "bool")
        selections.append("CASE WHEN \(flag) THEN NULL ELSE \(value) END")
    }

    private mutating func input<T: PostgresArrayEncodable & PostgresNonThrowingEncodable>(_ values: [T], _ type: String) -> String {
        binds.append(values)
        inputs.append("$\(binds.count)::\(type)[]")
        return "c\(inputs.count)"
    }
}
