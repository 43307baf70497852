/// How `herald test` shows a plan: as text for people, as JSON for tools.
public enum DryRunReport {
    /// `{"event": …, "matched": […], "messages": [{"rule": …, "recipient": …, "locale": …, "text": …, "delivery": …, …}]}`
    /// - Parameter requests: the exact requests a message's channels would get (`requests` field);
    ///   supplied by the delivery layer, which this pure module does not know.
    public static func json(event: String, plan: EventPlan, requests: ((PlannedMessage) -> JSONValue)? = nil) -> JSONValue {
        var object = JSONObject()
        object["event"] = .string(event)
        object["matched"] = .array(plan.matched.map { .string($0) })
        object["messages"] = .array(plan.messages.map { message in
            guard let requests, case .object(var entry) = json(message: message) else { return json(message: message) }
            entry["requests"] = requests(message)
            return .object(entry)
        })
        if !plan.skipped.isEmpty {
            object["skipped"] = .array(plan.skipped.map { skipped in
                var entry = JSONObject()
                entry["rule"] = .string(skipped.rule)
                if let element = skipped.element { entry["element"] = .number(JSONNumber(element)) }
                entry["reason"] = .string(skipped.reason)
                return .object(entry)
            })
        }
        return .object(object)
    }

    static func json(message: PlannedMessage) -> JSONValue {
        var object = JSONObject()
        object["rule"] = .string(message.rule)
        if let element = message.element { object["element"] = .number(JSONNumber(element)) }
        var recipient = JSONObject()
        recipient["address"] = .string(message.recipient.address)
        if let locale = message.recipient.locale { recipient["locale"] = .string(locale) }
        if let timezone = message.recipient.timezone { recipient["timezone"] = .string(timezone) }
        object["recipient"] = .object(recipient)
        object["locale"] = .string(message.locale.locale)
        object["locale_fallback"] = message.locale.fallback.map { .string($0) } ?? .null
        if message.formattingLocale != message.locale.locale {
            object["formatting_locale"] = .string(message.formattingLocale)
        }
        object["channels"] = .array(message.channels.map { .string($0) })
        object["template"] = .string(message.template)
        object["params"] = .object(JSONObject(message.params.map { JSONObject.Member(key: $0.name, value: $0.value) }))
        object["text"] = message.text.map { .string($0) } ?? .null
        if !message.lengths.isEmpty {
            object["lengths"] = .object(JSONObject(message.lengths.map { length in
                var entry = JSONObject()
                entry["length"] = .number(JSONNumber(length.length))
                if let sms = length.sms {
                    entry["encoding"] = .string(sms.encoding.rawValue)
                    entry["segments"] = .number(JSONNumber(sms.segments))
                }
                if let maximum = length.maximum { entry["max_length"] = .number(JSONNumber(maximum)) }
                return JSONObject.Member(key: length.channel, value: .object(entry))
            }))
        }
        if !message.buttons.isEmpty {
            object["buttons"] = .array(message.buttons.map { ["id": .string($0.id), "title": .string($0.title)] })
        }
        if let template = message.whatsappTemplate {
            object["whatsapp_template"] = [
                "name": .string(template.name), "language": .string(template.language),
                "parameters": .array(template.parameters.map { .string($0) }),
            ]
        }
        if !message.allProblems.isEmpty {
            object["problems"] = .array(message.allProblems.map { .string($0) })
        }
        object["delivery"] = json(delivery: message.delivery, address: message.recipient.normalizedAddress)
        return .object(object)
    }

    /// What `herald serve` would store with the message besides it: `{"address": …, "urgent": …,
    /// "expires_at": …, "dedupe": {"key": …, "window_seconds": …}, "opt_out_category": …}`.
    static func json(delivery terms: DeliveryTerms, address: String) -> JSONValue {
        var object = JSONObject()
        object["address"] = .string(address)
        object["urgent"] = .bool(terms.urgent)
        object["expires_at"] = terms.expiresAt.map { .string(Instant.rfc3339($0)) } ?? .null
        object["dedupe"] = terms.dedupe.map { dedupe in
            ["key": .string(dedupe.key), "window_seconds": .number(JSONNumber(Int(dedupe.window.components.seconds)))]
        } ?? .null
        object["opt_out_category"] = terms.optOutCategory.map { .string($0.rawValue) } ?? .null
        return .object(object)
    }

    /// A few indented lines per event.
    public static func text(event: String, source: String, plan: EventPlan) -> String {
        var lines: [String] = []
        let origin = event == source ? "" : " (\(source))"
        if plan.matched.isEmpty {
            lines.append("event \(event)\(origin): no rule matched")
            return lines.joined(separator: "\n")
        }
        lines.append("event \(event)\(origin): matched \(plan.matched.joined(separator: ", "))")
        for message in plan.messages {
            let element = message.element.map { " [element \($0)]" } ?? ""
            let fallback = message.locale.fallback.map { " (\($0))" } ?? ""
            lines.append("  \(message.rule)\(element) → \(message.recipient.address) via \(message.channels.joined(separator: ", "))")
            let formatting = message.formattingLocale == message.locale.locale ? "" : ", formats \(message.formattingLocale)"
            lines.append("    template \(message.template), locale \(message.locale.locale)\(fallback)\(formatting)"
                + (message.recipient.timezone.map { ", time zone \($0)" } ?? ""))
            for param in message.params {
                lines.append("    \(param.name) = \(param.value.compactJSON)")
            }
            if let text = message.text {
                lines.append("    text: \(text)")
                for length in message.lengths {
                    let parts = length.sms.map { ", \($0.segments) part\($0.segments == 1 ? "" : "s")" } ?? ""
                    lines.append("    \(length.channel): \(length.length) \(length.unit)\(parts)")
                }
            }
            if !message.buttons.isEmpty {
                lines.append("    buttons: " + message.buttons.map { "[\($0.title)]" }.joined(separator: " "))
            }
            if let template = message.whatsappTemplate {
                lines.append("    whatsapp template: \(template.name) (\(template.language))"
                    + (template.parameters.isEmpty ? "" : ": " + template.parameters.joined(separator: " | ")))
            }
            for problem in message.allProblems {
                lines.append("    problem: \(problem)")
            }
        }
        for skipped in plan.skipped {
            let element = skipped.element.map { " [element \($0)]" } ?? ""
            lines.append("  \(skipped.rule)\(element): no message: \(skipped.reason)")
        }
        return lines.joined(separator: "\n")
    }
}
