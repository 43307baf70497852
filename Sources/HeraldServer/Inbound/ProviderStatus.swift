/// Where a provider says a message is: WhatsApp's `statuses[].status`, Twilio's `MessageStatus`.
///
/// Providers post statuses out of order (a `sent` can arrive after `read`, and WhatsApp skips
/// `delivered` when a message is read at once), so a delivery's status only moves forward:
/// ``shouldApply(new:over:)`` decides. The known statuses rank
///
///     queued < sending < sent < delivered < read
///
/// and `failed` and `undelivered` are terminal: they may end a message that was only queued, sending
/// or sent, but not one the recipient already has (delivered or read), and nothing moves a message out
/// of them. A status Herald does not know (Twilio's `accepted`, `scheduled`, `canceled`; a new WhatsApp
/// status) is kept with its name as ``unknown(_:)`` and never applied: it cannot be ranked.
public enum ProviderStatus: Sendable, Hashable, CustomStringConvertible {
    /// Accepted by the provider, not yet handed to the network (Twilio `queued`).
    case queued
    /// Being handed to the carrier (Twilio `sending`).
    case sending
    /// On its way: WhatsApp's servers or the carrier took it.
    case sent
    /// On the recipient's device.
    case delivered
    /// Opened by the recipient (WhatsApp; Twilio for WhatsApp senders).
    case read
    /// Could not be sent (WhatsApp `failed` with `errors`, Twilio `failed` with `ErrorCode`).
    case failed
    /// Sent but the carrier could not deliver it (Twilio `undelivered`, often with a 30xxx code).
    case undelivered
    /// Any other status, by the name the provider used.
    case unknown(String)

    /// The provider's name for the status, case-insensitively: `"delivered"` → `.delivered`.
    public init(_ name: String) {
        switch name.lowercased() {
        case "queued": self = .queued
        case "sending": self = .sending
        case "sent": self = .sent
        case "delivered": self = .delivered
        case "read": self = .read
        case "failed": self = .failed
        case "undelivered": self = .undelivered
        default: self = .unknown(name)
        }
    }

    /// The provider's name: `delivered`, or the unknown status as it came.
    public var name: String {
        switch self {
        case .queued: "queued"
        case .sending: "sending"
        case .sent: "sent"
        case .delivered: "delivered"
        case .read: "read"
        case .failed: "failed"
        case .undelivered: "undelivered"
        case .unknown(let name): name
        }
    }

    public var description: String { name }

    /// Whether nothing can follow: `failed` and `undelivered`.
    public var isTerminal: Bool { self == .failed || self == .undelivered }

    /// Every status Herald ranks, in order, then the terminal ones: for tables and tests.
    public static let known: [ProviderStatus] = [.queued, .sending, .sent, .delivered, .read, .failed, .undelivered]

    /// Whether a status update `new` should replace the `current` status of a message (nil: none
    /// recorded yet). Rows are `new`, columns `current`; ✓ applies:
    ///
    /// | new \ current | none | queued | sending | sent | delivered | read | failed | undelivered |
    /// |---|---|---|---|---|---|---|---|---|
    /// | queued        | ✓ |   |   |   |   |   |   |   |
    /// | sending       | ✓ | ✓ |   |   |   |   |   |   |
    /// | sent          | ✓ | ✓ | ✓ |   |   |   |   |   |
    /// | delivered     | ✓ | ✓ | ✓ | ✓ |   |   |   |   |
    /// | read          | ✓ | ✓ | ✓ | ✓ | ✓ |   |   |   |
    /// | failed        | ✓ | ✓ | ✓ | ✓ |   |   |   |   |
    /// | undelivered   | ✓ | ✓ | ✓ | ✓ |   |   |   |   |
    /// | unknown       |   |   |   |   |   |   |   |   |
    ///
    /// A current status that is ``unknown(_:)`` ranks as none, so any known status replaces it.
    /// The same status twice is not applied again, so a provider's repeated post changes nothing.
    public static func shouldApply(new: ProviderStatus, over current: ProviderStatus?) -> Bool {
        guard let newRank = new.rank else { return false }
        guard let current, let currentRank = current.rank else { return true }
        if current.isTerminal { return false }
        // The recipient has it once delivered: a later failure report is about something else (or stale).
        if new.isTerminal { return current == .queued || current == .sending || current == .sent }
        return newRank > currentRank
    }

    /// The position in queued < sending < sent < delivered < read; the terminal statuses rank past
    /// all of them, so they are not overtaken; nil for unknown statuses.
    private var rank: Int? {
        switch self {
        case .queued: 0
        case .sending: 1
        case .sent: 2
        case .delivered: 3
        case .read: 4
        case .failed, .undelivered: 5
        case .unknown: nil
        }
    }
}
