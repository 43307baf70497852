/// Reads Twilio's posts to Herald: inbound SMS and message status callbacks, both
/// `application/x-www-form-urlencoded`.
///
/// Pure: the caller hands over the raw body, the URL Twilio requested and the resolved auth token.
/// A post is
///
/// - **an inbound message** when it has `Body`, `From` and a message SID (`MessageSid`, or the older
///   `SmsSid`), and its status (`MessageStatus`, else `SmsStatus`) is absent, `received` or
///   `receiving`. `NumMedia` and other fields are not kept; a picture without text is `Body=""`.
/// - **a status callback** otherwise, when it has a message SID and a `MessageStatus` (or
///   `SmsStatus`): `queued`, `sending`, `sent`, `delivered`, `undelivered`, `failed`, `read`, or
///   another kept as unknown. `ErrorCode` (`30003`) and `ErrorMessage` become the update's error; the
///   URL's `delivery` query value (Herald's `status_callback` adds it) becomes its `deliveryID`.
///
/// Anything else is an ``InboundPayloadError`` naming the field. Unknown fields are ignored; a repeated
/// field counts by its first value.
public enum TwilioWebhook {
    public static let contentType = "application/x-www-form-urlencoded"

    /// Checks the signature over `url` and the form, then reads it: the one call a route needs.
    public static func receive(body: [UInt8], url: String, signature: String?, authToken: String) throws(InboundRejection) -> InboundItem {
        let form = FormFields(decoding: body)
        do {
            try TwilioSignature.verify(signature: signature, url: url, params: form, authToken: authToken)
        } catch {
            throw .signature(error)
        }
        do {
            return try parse(form: form, url: url)
        } catch {
            throw .payload(error)
        }
    }

    /// Reads a post's raw body (not checking its signature).
    public static func parse(body: [UInt8], url: String) throws(InboundPayloadError) -> InboundItem {
        try parse(form: FormFields(decoding: body), url: url)
    }

    /// Reads a post's decoded form (not checking its signature).
    public static func parse(form: FormFields, url: String) throws(InboundPayloadError) -> InboundItem {
        let sidField = nonEmpty(form["MessageSid"]) != nil ? "MessageSid" : "SmsSid"
        guard let sid = nonEmpty(form[sidField]) else {
            throw InboundPayloadError(location: "MessageSid", detail: "missing: neither MessageSid nor SmsSid is given")
        }
        let statusField = nonEmpty(form["MessageStatus"]) != nil ? "MessageStatus" : "SmsStatus"
        let statusName = nonEmpty(form[statusField])
        let isInbound = statusName.map { ["received", "receiving"].contains($0.lowercased()) } ?? true

        if isInbound {
            guard let text = form["Body"] else {
                throw InboundPayloadError(location: "Body", detail: "missing: an inbound message has a Body (empty for media only)")
            }
            guard let from = nonEmpty(form["From"]) else {
                throw InboundPayloadError(location: "From", detail: "missing: an inbound message names its sender")
            }
            return .message(InboundMessage(id: sid, from: from, to: nonEmpty(form["To"]), content: .text(text)))
        }

        guard let statusName else {
            throw InboundPayloadError(location: "MessageStatus", detail: "missing")
        }
        var errors: [StatusUpdate.StatusError] = []
        if let codeText = nonEmpty(form["ErrorCode"]) {
            guard codeText.utf8.count <= 9, codeText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let code = Int(codeText) else {
                throw InboundPayloadError(location: "ErrorCode", detail: "expected a Twilio error code (digits), found '\(codeText.prefix(40))'")
            }
            errors.append(StatusUpdate.StatusError(code: code, message: nonEmpty(form["ErrorMessage"])))
        }
        return .status(StatusUpdate(
            id: sid, status: ProviderStatus(statusName), recipient: nonEmpty(form["To"]), from: nonEmpty(form["From"]),
            errors: errors, deliveryID: nonEmpty(FormFields(queryOf: url)["delivery"])))
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}
