import Foundation
import HeraldDelivery

/// A message a customer sent to one of our numbers: a WhatsApp reply or an inbound SMS.
///
/// Phone numbers and texts are personal data: store them, never log them.
public struct InboundMessage: Sendable, Hashable {
    /// What the customer sent.
    public enum Content: Sendable, Hashable {
        /// Typed text (WhatsApp `text.body`, Twilio `Body`).
        case text(String)
        /// A tap on a reply button of an interactive message (WhatsApp `interactive.button_reply`):
        /// the button's `id` as Herald sent it (`BUTTON:DELIVERY-ID`) and its title.
        case buttonReply(id: String, title: String)
        /// A choice from an interactive list (WhatsApp `interactive.list_reply`).
        case listReply(id: String, title: String, description: String?)
        /// A tap on a template's quick-reply button (WhatsApp `button`): the payload as Herald sent it
        /// (`BUTTON:DELIVERY-ID`) and the button's text.
        case quickReply(payload: String, text: String)
        /// Anything else (an image, a location, a reaction, …), by the provider's type name
        /// (`image`; for an unknown interactive reply, its `interactive.type`). Its content is not kept.
        case other(type: String)
    }

    /// The provider's id of this message: WhatsApp's `wamid.…`, Twilio's `SM…`.
    public var id: String
    /// The customer: WhatsApp's `from` (wa_id digits, `5511912345678`), Twilio's `From` (`+5511912345678`).
    public var from: String
    /// Our side: WhatsApp's `metadata.phone_number_id` (the business number's id), Twilio's `To`.
    public var to: String?
    /// When the customer sent it; Twilio does not say (nil).
    public var timestamp: Date?
    /// The id of our message this one answers (WhatsApp `context.id`, a wamid), when the customer
    /// replied to or tapped a button of a message.
    public var context: String?
    /// The customer's profile name (WhatsApp `contacts[].profile.name`), when given.
    public var senderName: String?
    public var content: Content

    public init(id: String, from: String, to: String? = nil, timestamp: Date? = nil, context: String? = nil,
                senderName: String? = nil, content: Content) {
        self.id = id
        self.from = from
        self.to = to
        self.timestamp = timestamp
        self.context = context
        self.senderName = senderName
        self.content = content
    }

    /// The typed text, for matching keywords such as STOP; nil for buttons and media. Button titles
    /// are not included: a tap names its button through ``reference``.
    public var text: String? {
        if case .text(let text) = content { return text }
        return nil
    }

    /// The button and the delivery a tap answers, read from a reply button's id or a quick reply's
    /// payload (see `ReplyReference`); nil for other content and for ids Herald did not make.
    public var reference: ReplyReference? {
        switch content {
        case .buttonReply(let id, _), .listReply(let id, _, _): ReplyReference.decode(id)
        case .quickReply(let payload, _): ReplyReference.decode(payload)
        case .text, .other: nil
        }
    }
}
