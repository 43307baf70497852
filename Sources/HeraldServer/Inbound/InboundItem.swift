/// One thing a provider's webhook tells Herald: a customer's message, or a status of ours.
///
/// A WhatsApp notification can hold several (``WhatsAppWebhook/parse(_:)``); a Twilio post holds one
/// (``TwilioWebhook/parse(body:url:)``).
public enum InboundItem: Sendable, Hashable {
    case message(InboundMessage)
    case status(StatusUpdate)

    public var message: InboundMessage? {
        if case .message(let message) = self { return message }
        return nil
    }

    public var status: StatusUpdate? {
        if case .status(let status) = self { return status }
        return nil
    }
}
