/// A planned message as the outbox stores it: everything a delivery worker needs to send it later,
/// exactly as planned when the event was accepted (a reload of the rules does not change messages
/// already promised). Lengths are not stored; the per-channel problems they caused are.
///
/// `{"v":1,"rule":…,"element":…,"recipient":{…},"locale":…,"locale_fallback":…,"formatting_locale":…,
///   "channels":[…],"template":…,"params":[{"name":…,"value":…}],"text":…,"problems":[…],
///   "channel_problems":{…},"buttons":[{"id":…,"title":…}],"whatsapp_template":{…},
///   "trace":{"parent":"00-…","state":…}}`
///
/// `trace` (the W3C trace context the deliveries continue) is written only when there is one, so a
/// message stored without it reads back the same; an unreadable `trace` is dropped, not an error.
extension PlannedMessage {
    public static let storageVersion = 1

    /// What a stored message could not be read as.
    public struct StorageError: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    public var storedJSON: JSONValue {
        var object = JSONObject()
        object["v"] = .number(JSONNumber(Self.storageVersion))
        object["rule"] = .string(rule)
        object["element"] = element.map { .number(JSONNumber($0)) } ?? .null
        var recipientObject = JSONObject()
        recipientObject["address"] = .string(recipient.address)
        recipientObject["locale"] = recipient.locale.map { .string($0) } ?? .null
        recipientObject["timezone"] = recipient.timezone.map { .string($0) } ?? .null
        object["recipient"] = .object(recipientObject)
        object["locale"] = .string(locale.locale)
        object["locale_fallback"] = locale.fallback.map { .string($0) } ?? .null
        object["formatting_locale"] = .string(formattingLocale)
        object["channels"] = .array(channels.map { .string($0) })
        object["template"] = .string(template)
        object["params"] = .array(params.map { ["name": .string($0.name), "value": $0.value] })
        object["text"] = text.map { .string($0) } ?? .null
        object["problems"] = .array(problems.map { .string($0) })
        object["channel_problems"] = .object(JSONObject(channelProblems.sorted { $0.key < $1.key }.map { JSONObject.Member(key: $0.key, value: .string($0.value)) }))
        object["buttons"] = .array(buttons.map { ["id": .string($0.id), "title": .string($0.title)] })
        if let smsReply { object["sms_reply"] = .string(smsReply) }
        if let template = whatsappTemplate {
            object["whatsapp_template"] = [
                "name": .string(template.name), "language": .string(template.language),
                "parameters": .array(template.parameters.map { .string($0) }),
            ]
        }
        if let trace { object["trace"] = trace.storedJSON }
        return .object(object)
    }

    public init(stored json: JSONValue) throws(StorageError) {
        func fail(_ what: String) -> StorageError { StorageError(description: "stored message: \(what)") }
        func string(_ value: JSONValue?, _ name: String) throws(StorageError) -> String {
            guard let text = value?.stringValue else { throw fail("'\(name)' is missing or not a string") }
            return text
        }
        func optionalString(_ value: JSONValue?) -> String? { value?.stringValue }
        func strings(_ value: JSONValue?, _ name: String) throws(StorageError) -> [String] {
            guard case .array(let items)? = value else { throw fail("'\(name)' is missing or not an array") }
            var result: [String] = []
            for item in items {
                guard let text = item.stringValue else { throw fail("'\(name)' holds a \(item.typeName)") }
                result.append(text)
            }
            return result
        }
        guard json["v"]?.numberValue == Double(Self.storageVersion) else {
            throw fail("version \(json["v"]?.compactJSON ?? "(none)") is not \(Self.storageVersion)")
        }
        var params: [ResolvedParam] = []
        if case .array(let items)? = json["params"] {
            for item in items {
                params.append(ResolvedParam(name: try string(item["name"], "params[].name"), value: item["value"] ?? .null))
            }
        }
        var channelProblems: [String: String] = [:]
        if case .object(let object)? = json["channel_problems"] {
            for member in object.members { channelProblems[member.key] = member.value.stringValue }
        }
        var buttons: [PlannedButton] = []
        if case .array(let items)? = json["buttons"] {
            for item in items {
                buttons.append(PlannedButton(id: try string(item["id"], "buttons[].id"), title: try string(item["title"], "buttons[].title")))
            }
        }
        var whatsappTemplate: PlannedWhatsAppTemplate?
        if let template = json["whatsapp_template"], template != .null {
            whatsappTemplate = PlannedWhatsAppTemplate(
                name: try string(template["name"], "whatsapp_template.name"),
                language: try string(template["language"], "whatsapp_template.language"),
                parameters: try strings(template["parameters"], "whatsapp_template.parameters"))
        }
        let element: Int? = json["element"]?.numberValue.flatMap { $0 >= 0 && $0 == $0.rounded() && $0 < 1e9 ? Int($0) : nil }
        self.init(
            rule: try string(json["rule"], "rule"), element: element,
            recipient: ResolvedRecipient(
                address: try string(json["recipient"]?["address"], "recipient.address"),
                locale: optionalString(json["recipient"]?["locale"]), timezone: optionalString(json["recipient"]?["timezone"])),
            locale: LocaleNegotiation.Choice(locale: try string(json["locale"], "locale"), fallback: optionalString(json["locale_fallback"])),
            formattingLocale: try string(json["formatting_locale"], "formatting_locale"),
            channels: try strings(json["channels"], "channels"), template: try string(json["template"], "template"),
            params: params, text: optionalString(json["text"]), lengths: [],
            problems: try strings(json["problems"], "problems"), channelProblems: channelProblems,
            buttons: buttons, whatsappTemplate: whatsappTemplate, smsReply: optionalString(json["sms_reply"]),
            trace: TraceParent(stored: json["trace"]))
    }
}
