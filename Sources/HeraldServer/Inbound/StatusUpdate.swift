import Foundation
import HeraldCore

/// A provider's report on a message Herald sent: WhatsApp `statuses[]`, a Twilio status callback.
///
/// Apply it to the delivery only when ``ProviderStatus/shouldApply(new:over:)`` says so: reports
/// arrive out of order and more than once.
public struct StatusUpdate: Sendable, Hashable {
    /// An error a provider gives with a `failed` or `undelivered` status.
    public struct StatusError: Sendable, Hashable {
        /// WhatsApp's `errors[].code` (`131047`), Twilio's `ErrorCode` (`30003`).
        public var code: Int
        /// WhatsApp's `title`; nil for Twilio.
        public var title: String?
        /// WhatsApp's `message`, Twilio's `ErrorMessage` (rarely sent).
        public var message: String?
        /// WhatsApp's `error_data.details`.
        public var details: String?

        public init(code: Int, title: String? = nil, message: String? = nil, details: String? = nil) {
            self.code = code
            self.title = title
            self.message = message
            self.details = details
        }

        /// The error as a delivery record keeps a provider's reason: the code as text, and the title,
        /// message and details that say something new, joined by `: `.
        public var providerError: ProviderError {
            var parts: [String] = []
            for part in [title, message, details] {
                if let part, !part.isEmpty, !parts.contains(part) { parts.append(part) }
            }
            return ProviderError(code: String(code), message: parts.isEmpty ? "error \(code)" : parts.joined(separator: ": "))
        }
    }

    /// The provider's id of our message: the wamid, or Twilio's `MessageSid`.
    public var id: String
    public var status: ProviderStatus
    /// When the status changed (WhatsApp's `timestamp`); Twilio does not say (nil).
    public var timestamp: Date?
    /// Who the message was for: WhatsApp's `recipient_id`, Twilio's `To`.
    public var recipient: String?
    /// Our side: WhatsApp's `metadata.phone_number_id`, Twilio's `From`.
    public var from: String?
    /// Why it failed; empty unless the status is `failed` or `undelivered` (and even then maybe).
    public var errors: [StatusError]
    /// The delivery the report is about, when the provider echoes it: Twilio status callbacks carry
    /// `delivery=DELIVERY-ID` in their URL's query (see `TwilioRequestBuilder`); nil for WhatsApp,
    /// whose reports are found by ``id``.
    public var deliveryID: String?

    public init(id: String, status: ProviderStatus, timestamp: Date? = nil, recipient: String? = nil, from: String? = nil,
                errors: [StatusError] = [], deliveryID: String? = nil) {
        self.id = id
        self.status = status
        self.timestamp = timestamp
        self.recipient = recipient
        self.from = from
        self.errors = errors
        self.deliveryID = deliveryID
    }
}
