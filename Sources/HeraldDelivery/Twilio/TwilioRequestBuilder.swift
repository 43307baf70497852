import Foundation
import HeraldCore

/// Builds Twilio Programmable Messaging requests (SMS).
///
/// `POST {url}` (`https://api.twilio.com/2010-04-01/Accounts/{AccountSid}/Messages.json`) with
/// ```
/// Authorization: Basic base64(ACCOUNT_SID:AUTH_TOKEN)
/// Content-Type: application/x-www-form-urlencoded
/// X-Herald-Delivery: DELIVERY-ID
///
/// To=%2B919876543210&From=%2B14155550100&Body=…&StatusCallback=…
/// ```
/// The user name is the endpoint's `account` (an account SID, or an API key SID `SK…` with its secret
/// as `token`). `From` becomes `MessagingServiceSid` when `from` starts with `MG` (a Messaging Service
/// picks the sender number itself). `StatusCallback` is sent only when given. Phone numbers have spaces,
/// hyphens, dots and parentheses removed (`+91 98765-43210` → `+919876543210`); other addresses
/// (`whatsapp:+1…`) go as they are. The form is encoded as browsers do (see `FormEncoding`): `+` is `%2B`,
/// a space is `+`, UTF-8 bytes are `%XX`.
///
/// Twilio's Messages API takes no idempotency key; `X-Herald-Delivery` is ignored by Twilio and
/// lets `herald sink` de-duplicate.
public struct TwilioRequestBuilder: Sendable {
    public let endpoint: Endpoint
    public let secrets: EndpointSecrets

    public init(endpoint: Endpoint, secrets: EndpointSecrets) {
        self.endpoint = endpoint
        self.secrets = secrets
    }

    /// The request that sends `text` to `address`. With the endpoint's `status_callback`, Twilio posts
    /// status changes there; the URL gets `delivery=DELIVERY-ID` added to its query, so a status that
    /// arrives before the message's `sid` is recorded still finds its delivery.
    public func request(to address: String, text: String, deliveryID: String) throws(RequestBuildError) -> HTTPRequest {
        guard let account = endpoint.account, !account.isEmpty else { throw .missingSetting("account", endpoint: endpoint.name, kind: .twilio) }
        guard let token = secrets.token else { throw .missingSetting("token", endpoint: endpoint.name, kind: .twilio) }
        guard let from = endpoint.from, !from.isEmpty else { throw .missingSetting("from", endpoint: endpoint.name, kind: .twilio) }
        let to = Self.normalized(address)
        guard !to.isEmpty, !to.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalidRecipient(address, endpoint: endpoint.name, reason: "is empty or has control characters")
        }
        var form: [(name: String, value: String)] = [("To", to)]
        form.append(from.hasPrefix("MG") ? ("MessagingServiceSid", from) : ("From", Self.normalized(from)))
        form.append(("Body", text))
        if let callback = endpoint.statusCallback { form.append(("StatusCallback", Self.statusCallback(callback, deliveryID: deliveryID))) }

        var headers = RequestHeaders(endpoint: endpoint.name)
        try headers.add("Authorization", Self.basicAuthorization(user: account, password: token))
        try headers.add("Content-Type", "application/x-www-form-urlencoded")
        try headers.add("X-Herald-Delivery", deliveryID)
        try headers.addConfigured(secrets.headers)
        return HTTPRequest(method: "POST", url: endpoint.url, headers: headers.fields, body: Array(FormEncoding.encode(form).utf8))
    }

    /// `request` with its secrets masked (`Authorization: Basic ***`), for `herald test --json` and logs.
    public func redacted(_ request: HTTPRequest) -> HTTPRequest {
        request.redacted(hiding: secrets.secretValues, secretHeaders: secrets.secretHeaderNames)
    }

    /// `Basic ` and the Base64 of `user:password` (RFC 7617).
    public static func basicAuthorization(user: String, password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    private static let separators: Set<Unicode.Scalar> = [" ", "-", ".", "(", ")"]

    /// A phone number without its separators; anything else unchanged (trimmed).
    static func normalized(_ address: String) -> String {
        let trimmed = address.trimmingCharacters(in: .whitespaces)
        let compact = String(String.UnicodeScalarView(trimmed.unicodeScalars.filter { !separators.contains($0) }))
        let isPhone = compact.unicodeScalars.enumerated().allSatisfy { index, scalar in
            ("0"..."9").contains(scalar) || (index == 0 && scalar == "+")
        }
        return isPhone && compact.unicodeScalars.count > 1 ? compact : trimmed
    }

    /// `URL?delivery=ID`, or `URL?a=b&delivery=ID` when the URL has a query already.
    static func statusCallback(_ url: String, deliveryID: String) -> String {
        let separator = url.contains("?") ? "&" : "?"
        return url + separator + "delivery=" + FormEncoding.encode(deliveryID)
    }
}
