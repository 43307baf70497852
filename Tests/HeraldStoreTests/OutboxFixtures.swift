import Foundation
import HeraldStore

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

/// Runs `body` with an outbox in a new temporary file, and removes the file afterwards.
func withOutbox(
    configuration: OutboxConfiguration = .init(),
    _ body: (Outbox, TemporaryFolder) async throws -> Void
) async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let outbox = try Outbox(path: folder.path("outbox.sqlite"), configuration: configuration)
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
    /// The one delivery of an event stored with ``acceptance(_:key:receivedAt:rules:channels:dueAt:expiresAt:)``.
    func delivery(_ id: String) async throws -> DeliveryRecord? {
        let eventID = String(id.prefix { $0 != "/" })
        return try await event(id: eventID)?.deliveries.first { $0.id == id }
    }
}
