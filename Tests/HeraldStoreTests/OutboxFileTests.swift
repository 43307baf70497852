import Foundation
@testable import HeraldStore
import Testing

@Suite struct OutboxFileTests {
    @Test func everythingCommittedIsThereAfterReopening() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("outbox.sqlite")
        let id = "evt-1/card-fraud-check"

        do {
            let outbox = try SQLiteStore(path: path)
            _ = try await outbox.accept([acceptance("evt-1", key: "k1"), acceptance("evt-2")])
            _ = try await outbox.claim(limit: 1, now: t0, lease: .seconds(30), owner: "w1")
            #expect(try await outbox.record(attempt(id), next: .retry(at: at(10)), owner: "w1"))
            try outbox.close()
        }
        do {
            let outbox = try SQLiteStore(path: path)
            let delivery = try #require(try await outbox.delivery(id))
            #expect(delivery.attempts == [attempt(id)])
            #expect(delivery.dueAt == at(10))
            #expect(try await outbox.event(id: "evt-2") != nil)
            #expect(try await outbox.accept([acceptance("evt-3", key: "k1")]) == [.duplicate(of: "evt-1", firstReceivedAt: t0, deliveries: 1)])
            _ = try await outbox.accept([acceptance("evt-4")])
            // Released without close().
        }
        let reopened = try SQLiteStore(path: path)
        #expect(try await reopened.depth(now: t0).pending == 3)
        #expect(try await reopened.event(id: "evt-4") != nil)
    }

    @Test func theFolderIsCreated() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("var/lib/herald/outbox.sqlite")

        let outbox = try SQLiteStore(path: path)

        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try await outbox.pragma("journal_mode") == "wal")
    }

    @Test(arguments: SQLiteConfiguration.Synchronous.allCases)
    func synchronousIsSetOnTheWriter(_ mode: SQLiteConfiguration.Synchronous) async throws {
        try await withSQLite(configuration: .init(synchronous: mode)) { outbox, _ in
            let synchronous = try await outbox.pragma("synchronous")
            #expect(synchronous == String(mode.pragmaValue))
        }
    }

    @Test func aFileThatIsNotADatabaseIsAnErrorNamingIt() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("outbox.sqlite")
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))

        let error = #expect(throws: OutboxError.self) { try SQLiteStore(path: path) }

        #expect(error?.code == .cannotOpen)
        #expect(error?.path == path)
        #expect(error?.description.contains(path) == true)
    }

    @Test func aFolderThatCannotBeCreatedIsAnErrorNamingThePath() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = folder.path("plain-file")
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: file))
        let path = file + "/outbox.sqlite"

        let error = #expect(throws: OutboxError.self) { try SQLiteStore(path: path) }

        #expect(error?.code == .cannotOpen)
        #expect(error?.description.contains(path) == true)
    }

    @Test func aFolderInPlaceOfTheFileIsAnError() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }

        let error = #expect(throws: OutboxError.self) { try SQLiteStore(path: folder.url.path) }

        #expect(error?.code == .cannotOpen)
        #expect(error?.description.contains(folder.url.path) == true)
    }

    @Test func aSchemaFromANewerHeraldIsRefused() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("outbox.sqlite")
        do {
            let outbox = try SQLiteStore(path: path)
            try await outbox.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')")
            try outbox.close()
        }

        let error = #expect(throws: OutboxError.self) { try SQLiteStore(path: path) }

        #expect(error?.code == .cannotOpen)
        #expect(error?.description.contains("newer version of Herald") == true)
    }

    @Test func aDamagedRowIsAnErrorNamingItNotACrash() async throws {
        try await withSQLite { outbox, _ in
            _ = try await outbox.accept([acceptance("evt-1")])
            try await outbox.execute(sql: "UPDATE deliveries SET channels = 'whatsapp,sms'")

            let error = await #expect(throws: OutboxError.self) { try await outbox.event(id: "evt-1") }

            #expect(error?.code == .corruptRow)
            #expect(error?.description.contains("delivery evt-1/card-fraud-check: column channels") == true)
        }
    }

    @Test func aClosedOutboxThrows() async throws {
        try await withSQLite { outbox, _ in
            try outbox.close()
            let error = await #expect(throws: OutboxError.self) { try await outbox.accept([acceptance("evt-1")]) }
            #expect(error?.code == .database)
            #expect(error?.description.contains("the outbox is closed") == true)
            let claimError = await #expect(throws: OutboxError.self) {
                try await outbox.claim(limit: 1, now: t0, lease: .seconds(1), owner: "w1")
            }
            #expect(claimError?.description.contains("claiming deliveries") == true)
        }
    }
}
