import Foundation
import HeraldStore
import HeraldTestSupport
import Testing

/// The PostgreSQL schema's migrations: once however many nodes start together, refused when newer.
@Suite struct PostgresSchemaTests {
    static func configuration(_ server: TestPostgres, _ database: String) -> PostgresConfiguration {
        PostgresConfiguration(host: "127.0.0.1", port: server.port, username: server.user, database: database, tls: .disable)
    }

    @Test func nodesStartingTogetherMigrateOnce() async throws {
        let server = try TestPostgres.shared()
        let database = try server.freshDatabase()
        let stores = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
            for _ in 0..<3 { group.addTask { try await PostgresStore(configuration: Self.configuration(server, database)) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        // Exactly one of them found an empty database; the others found it current.
        let fromEmpty = stores.filter { $0.schemaVersions.from == 0 }
        #expect(fromEmpty.count == 1)
        #expect(stores.allSatisfy { $0.schemaVersions.to == stores[0].schemaVersions.to })
        #expect(try server.psql("SELECT count(*) FROM herald_schema", database: database).trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        // And they work on the one schema.
        _ = try await stores[0].accept([acceptance("evt-1")])
        #expect(try await stores[2].event(id: "evt-1") != nil)
        for store in stores { try await store.close() }
    }

    @Test func aSchemaFromANewerHeraldIsRefusedWithoutTouchingIt() async throws {
        let server = try TestPostgres.shared()
        let database = try server.freshDatabase()
        try await PostgresStore(configuration: Self.configuration(server, database)).close()
        try server.psql("UPDATE herald_schema SET version = version + 1", database: database)

        let error = await #expect(throws: OutboxError.self) {
            try await PostgresStore(configuration: Self.configuration(server, database))
        }
        #expect(error?.code == .cannotOpen)
        #expect(error?.description.contains("written by a newer version of Herald") == true)
        #expect(error?.description.contains("postgresql://herald@127.0.0.1:\(server.port)/\(database)") == true)
    }

    @Test func withoutMigratingAnEmptyDatabaseIsRefusedWithTheCommandToRun() async throws {
        let server = try TestPostgres.shared()
        let database = try server.freshDatabase()
        let error = await #expect(throws: OutboxError.self) {
            try await PostgresStore(configuration: Self.configuration(server, database), migrate: false)
        }
        #expect(error?.code == .cannotOpen)
        #expect(error?.description.contains("herald migrate") == true)
        #expect(try server.psql("SELECT to_regclass('events') IS NULL", database: database).trimmingCharacters(in: .whitespacesAndNewlines) == "t")
    }

    @Test func anUnreachableServerIsUnavailableNotABrokenStore() async throws {
        let port = try TestPostgres.freePort()
        let error = await #expect(throws: OutboxError.self) {
            try await PostgresStore(configuration: PostgresConfiguration(host: "127.0.0.1", port: port, username: "herald",
                                                                         database: "herald", tls: .disable))
        }
        #expect(error?.code == .unavailable)
        #expect(error?.description.contains("127.0.0.1:\(port)") == true)
    }
}
