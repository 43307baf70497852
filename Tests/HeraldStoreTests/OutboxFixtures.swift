import Foundation
import HeraldStore
import HeraldTestSupport
import Testing

/// A folder of its own under the system's temporary folder, removed by ``withOutbox(configuration:_:)``.
struct TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("herald-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// The stores every conformance test runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

/// Runs `body` with a new, empty store of `kind` — an SQLite file in a temporary folder, or a fresh
/// database on the test process's throwaway PostgreSQL — and removes it afterwards.
func withOutbox(
    _ kind: StoreKind = .sqlite,
    configuration: SQLiteConfiguration = .init(),
    _ body: (any Outbox, TemporaryFolder) async throws -> Void
) async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let outbox: any Outbox
    switch kind {
    case .sqlite:
        outbox = try SQLiteStore(path: folder.path("outbox.sqlite"), configuration: configuration)
    case .postgres:
        let server = try TestPostgres.shared()
        let database = try server.freshDatabase()
        var postgres = PostgresConfiguration(host: "127.0.0.1", port: server.port, username: server.user, database: database,
                                             tls: .disable, maxGroupSize: configuration.maxGroupSize)
        // These tests are about what the store does, not how soon it gives up: with the whole suite
        // running beside them (server processes, other databases) on 2 cores, a connection can take
        // longer than the production 3 s to come (PostgresOutageTests checks that bound).
        postgres.connectTimeout = .seconds(30)
        outbox = try await PostgresStore(configuration: postgres)
    }
    do {
        try await body(outbox, folder)
    } catch {
        try? await outbox.close()
        throw error
    }
    try? await outbox.close()
}

/// Runs `body` with an SQLite store in a new temporary file (for what only SQLite has: its file,
/// its pragmas, its migrations from older files).
func withSQLite(
    configuration: SQLiteConfiguration = .init(),
    _ body: (SQLiteStore, TemporaryFolder) async throws -> Void
) async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let outbox = try SQLiteStore(path: folder.path("outbox.sqlite"), configuration: configuration)
    try await body(outbox, folder)
}

/// A fixed start time (whole seconds, so stored milliseconds read back equal).
let t0 = Date(timeIntervalSince1970: 1_750_000_000)

func at(_ seconds: Int) -> Date {
    t0.addingTimeInterval(TimeInterval(seconds))
}

func bytes(_ text: String) -> [UInt8] {
    Array(text.utf8)
}

/// An event with one delivery per rule, `"<id>/<rule>"`, over `channels`.
func acceptance(
    _ id: String,
    key: String? = nil,
    receivedAt: Date = t0,
    rules: [String] = ["card-fraud-check"],
    channels: [String] = ["whatsapp", "sms"],
    dueAt: Date = t0,
    expiresAt: Date? = nil
) -> Acceptance {
    Acceptance(
        event: NewEvent(
            id: id, receivedAt: receivedAt, body: bytes(#"{"id":"\#(id)"}"#), matchedRules: rules,
            idempotencyKey: key),
        deliveries: rules.map { rule in
            NewDelivery(
                id: "\(id)/\(rule)", rule: rule, channels: channels, message: bytes(#"{"text":"\#(rule)"}"#),
                dueAt: dueAt, expiresAt: expiresAt)
        }
    )
}

/// An attempt of `deliveryID` starting at `startedAt`, taking 250 ms.
func attempt(
    _ deliveryID: String,
    channel: String = "whatsapp",
    number: Int = 1,
    startedAt: Date = t0,
    outcome: String = "retryable",
    providerID: String? = nil,
    errorCode: String? = "503",
    errorMessage: String? = "Service Unavailable"
) -> AttemptRecord {
    AttemptRecord(
        deliveryID: deliveryID, channel: channel, number: number, startedAt: startedAt,
        duration: .milliseconds(250), outcome: outcome, providerID: providerID, errorCode: errorCode,
        errorMessage: errorMessage)
}

extension Outbox {
    /// Records `attempt` as the worker `owner` would while it holds the delivery's current lease
    /// (a different owner presents the current token too, so only the owner tells them apart).
    func record(_ attempt: AttemptRecord, next: NextStep, owner: String) async throws -> Bool {
        let token = try await delivery(id: attempt.deliveryID)?.lease?.token ?? 0
        return try await record(attempt, next: next, lease: Lease(owner: owner, token: token, until: t0))
    }

    /// Postpones as the worker `owner` would while it holds the delivery's current lease.
    func postpone(deliveryID: String, owner: String, until: Date, note: String, now: Date) async throws -> Bool {
        let token = try await delivery(id: deliveryID)?.lease?.token ?? 0
        return try await postpone(deliveryID: deliveryID, lease: Lease(owner: owner, token: token, until: t0), until: until, note: note, now: now)
    }

    /// The one delivery of an event stored with ``acceptance(_:key:receivedAt:rules:channels:dueAt:expiresAt:)``.
    func delivery(_ id: String) async throws -> DeliveryRecord? {
        let eventID = String(id.prefix { $0 != "/" })
        return try await event(id: eventID)?.deliveries.first { $0.id == id }
    }
}
