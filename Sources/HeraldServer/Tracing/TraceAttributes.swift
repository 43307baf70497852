/// The attribute names of Herald's spans (docs/tracing.md lists them with their spans). OpenTelemetry's
/// semantic conventions where one fits (`http.*`, `url.path`), `herald.*` for the rest.
enum TraceAttributes {
    static let httpMethod = "http.request.method"
    static let httpRoute = "http.route"
    static let httpStatus = "http.response.status_code"
    static let urlPath = "url.path"

    static let eventID = "herald.event.id"
    static let events = "herald.events"
    static let rulesMatched = "herald.rules.matched"
    static let messages = "herald.messages"
    static let deliveries = "herald.deliveries"
    static let skipped = "herald.skipped"

    static let deliveryID = "herald.delivery.id"
    static let deliveryKind = "herald.delivery.kind"
    static let endpoint = "herald.endpoint"
    static let channelKind = "herald.channel.kind"
    static let attempt = "herald.attempt"
    static let outcome = "herald.outcome"
    static let next = "herald.next"
    static let providerErrorCode = "herald.provider.error_code"
    static let providerID = "herald.provider.id"
    static let providerStatus = "herald.provider.status"
    static let statusResult = "herald.status.result"

    static let channel = "herald.channel"
    static let replyKind = "herald.reply.kind"
    static let replyButton = "herald.reply.button"
    static let callbackDeliveryID = "herald.callback.delivery.id"
}
