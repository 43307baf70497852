import Foundation

/// What one event produces: the rules it matched and the messages they would send.
public struct EventPlan: Sendable {
    public var matched: [String]
    public var messages: [PlannedMessage]
    /// Messages a matched rule could not produce (e.g. the recipient's address is missing).
    public var skipped: [SkippedMessage]
}

/// One message a rule would send.
public struct PlannedMessage: Sendable {
    public var rule: String
    /// The fan-out element's index, when the rule has `for_each`.
    public var element: Int?
    public var recipient: ResolvedRecipient
    /// The template translation chosen for the recipient, and why.
    public var locale: LocaleNegotiation.Choice
    /// The locale numbers, money and dates are formatted in (see `MessagePlanner.formattingLocale`).
    public var formattingLocale: String
    public var channels: [String]
    public var template: String
    /// Param values as found in the event, in the rule's order.
    public var params: [ResolvedParam]
    /// The rendered text; nil when a param could not be rendered (see `problems`).
    public var text: String?
    /// The text measured for each channel, in channel order.
    public var lengths: [ChannelLength]
    /// What stops this message from being sent at all: a param missing from the event, a value that cannot render.
    public var problems: [String]
    /// Channels the text does not fit (over the endpoint's `max_length`), with why: delivery skips
    /// them and fails over to a channel the text fits.
    public var channelProblems: [String: String] = [:]
    /// Reply buttons with their titles in the text's locale, in the template's order.
    public var buttons: [PlannedButton] = []
    /// The pre-approved WhatsApp template WhatsApp channels send, with its body filled in.
    public var whatsappTemplate: PlannedWhatsAppTemplate? = nil
    /// For a message with buttons: how to answer by SMS in the text's language ("Reply YES or NO"),
    /// appended to the text on SMS channels.
    public var smsReply: String? = nil
    /// Urgent or not, expiry, dedupe key and opt-out category, decided by the rule at planning.
    public var delivery: DeliveryTerms = DeliveryTerms()
    /// The trace the message's deliveries continue (docs/tracing.md): the event's span when
    /// `herald serve` traces, else the sender's `traceparent` when it sent one. Nil: none.
    public var trace: TraceParent? = nil

    /// The text as an SMS channel sends it: with the reply instruction when there is one.
    public var smsText: String? {
        guard let text else { return nil }
        guard let smsReply, !smsReply.isEmpty else { return text }
        return text + "\n" + smsReply
    }

    /// A plain text to the same customer on one channel, in the same language (the answer to a
    /// reply Herald could not understand).
    public func answer(_ text: String, on channel: String) -> PlannedMessage {
        PlannedMessage(rule: rule, element: element, recipient: recipient, locale: locale, formattingLocale: formattingLocale,
                       channels: [channel], template: template, params: [], text: text, lengths: [], problems: [], delivery: delivery,
                       trace: trace)
    }

    /// Every problem, the per-channel ones included, for showing.
    public var allProblems: [String] {
        problems + channels.compactMap { channelProblems[$0] }
    }
}

/// A reply button as the customer sees it.
public struct PlannedButton: Sendable, Hashable {
    public var id: String
    public var title: String

    public init(id: String, title: String) {
        self.id = id
        self.title = title
    }
}

/// A WhatsApp template message: the approved template's name, Meta's language code for the text's
/// locale, and the body parameters, each rendered in the recipient's formatting locale.
public struct PlannedWhatsAppTemplate: Sendable, Hashable {
    public var name: String
    public var language: String
    public var parameters: [String]

    public init(name: String, language: String, parameters: [String]) {
        self.name = name
        self.language = language
        self.parameters = parameters
    }
}

public struct ResolvedRecipient: Sendable, Hashable {
    /// The address as the event has it.
    public var address: String
    public var locale: String?
    public var timezone: String?

    /// The address as Herald keeps it, for pacing, opt-outs, dedupe and replies (`RecipientAddress`).
    public var normalizedAddress: String { RecipientAddress.normalized(address) }
}

public struct ResolvedParam: Sendable, Hashable {
    public var name: String
    /// The value as a JSON value: the event's value for a bare path; for money
    /// `{"money": amount, "currency": code}`, for datetime `{"datetime": value, "timezone": zone}`.
    public var value: JSONValue
}

public struct SkippedMessage: Sendable, Hashable {
    public var rule: String
    public var element: Int?
    public var reason: String
}

/// How long a rendered text is for one channel, and whether it fits.
public struct ChannelLength: Sendable, Hashable {
    public var channel: String
    /// Characters as the channel counts them.
    public var length: Int
    /// For SMS channels: the encoding and the number of parts.
    public var sms: SMSLength?
    /// The channel's maximum, when it has one.
    public var maximum: Int?

    /// What `length` counts.
    public var unit: String {
        switch sms?.encoding {
        case .gsm7?: "GSM-7 characters"
        case .ucs2?: "UCS-2 units"
        case nil: "characters"
        }
    }
}

/// Plans the messages of matched rules: recipients, locale, params, rendered text, lengths, and how
/// the outbox is to treat each (`DeliveryTerms`: urgent, expiry, dedupe, opt-out category).
/// Pure: it touches no network, store or clock (the time of acceptance is a parameter); build it
/// once per rule set and reuse it.
public struct MessagePlanner: Sendable {
    public let ruleSet: RuleSet
    private let endpoints: [String: Endpoint]
    /// One renderer per locale any template has.
    private let renderers: [String: MessageRenderer]

    public init(ruleSet: RuleSet, endpoints: [Endpoint]) {
        self.ruleSet = ruleSet
        self.endpoints = Dictionary(endpoints.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let locales = Set(ruleSet.templates.values.flatMap(\.locales))
        self.renderers = Dictionary(uniqueKeysWithValues: locales.map { ($0, MessageRenderer(locale: $0)) })
    }

    /// Matches the event and plans every message the matching rules would produce, as if the event
    /// were accepted at `now` (expiry counts from then).
    public func plan(_ event: JSONValue, now: Date) -> EventPlan {
        var plan = EventPlan(matched: [], messages: [], skipped: [])
        for rule in ruleSet.matchingRules(event) {
            plan.matched.append(rule.id)
            guard let forEach = rule.forEach else {
                planMessage(rule: rule, event: event, element: nil, index: nil, now: now, into: &plan)
                continue
            }
            switch forEach.resolve(event: event, element: nil) {
            case .array(let elements):
                for (index, element) in elements.enumerated() {
                    planMessage(rule: rule, event: event, element: element, index: index, now: now, into: &plan)
                }
            case nil:
                plan.skipped.append(SkippedMessage(rule: rule.id, element: nil, reason: "for_each \(forEach) is missing from the event"))
            case let other?:
                plan.skipped.append(SkippedMessage(rule: rule.id, element: nil, reason: "for_each \(forEach) is a \(other.typeName), not an array"))
            }
        }
        return plan
    }

    private func planMessage(rule: Rule, event: JSONValue, element: JSONValue?, index: Int?, now: Date, into plan: inout EventPlan) {
        guard let address = rule.recipient.address.resolve(event: event, element: element) else {
            plan.skipped.append(SkippedMessage(rule: rule.id, element: index, reason: "recipient address \(rule.recipient.address) is missing"))
            return
        }
        guard let addressText = address.scalarText, !addressText.isEmpty else {
            plan.skipped.append(SkippedMessage(rule: rule.id, element: index, reason: "recipient address \(rule.recipient.address) is a \(address.typeName), not a string"))
            return
        }
        let locale = rule.recipient.locale?.resolve(event: event, element: element)?.stringValue
        let timezone = rule.recipient.timezone?.resolve(event: event, element: element)?.stringValue
        let template = ruleSet.templates[rule.templateID]
        let choice = LocaleNegotiation.choose(
            requested: locale, available: template?.locales ?? [], defaultLocale: template?.defaultLocale ?? "en")
        var params: [ResolvedParam] = []
        var arguments: [String: MessageArgument] = [:]
        var problems: [String] = []
        for param in rule.params {
            let (shown, argument) = resolve(param, event: event, element: element, recipientZone: timezone)
            params.append(ResolvedParam(name: param.name, value: shown))
            switch argument {
            case .success(let value): arguments[param.name] = value
            case .failure(let problem): problems.append("param '\(param.name)': \(problem.message)")
            }
        }
        var text: String?
        var whatsappTemplate: PlannedWhatsAppTemplate?
        let formatting = MessagePlanner.formattingLocale(recipient: locale, text: choice.locale)
        if problems.isEmpty, let template, let translation = template.translation(for: choice.locale) {
            let renderer = renderers[formatting] ?? MessageRenderer(locale: formatting)
            do {
                text = try renderer.render(translation.message, arguments: arguments)
                if let approved = template.whatsapp {
                    whatsappTemplate = PlannedWhatsAppTemplate(
                        name: approved.name, language: approved.languageCode(for: choice.locale),
                        parameters: try approved.body.map { name throws(RenderError) in
                            try renderer.render(MessageFormat(parts: [.argument(name: name, format: .plain)]), arguments: arguments)
                        })
                }
            } catch {
                problems.append("cannot render \(rule.templateID) (\(choice.locale)): \(error)")
            }
        }
        let buttons = (template?.buttons ?? []).compactMap { button in
            button.title(for: choice.locale, defaultLocale: template?.defaultLocale ?? choice.locale).map { PlannedButton(id: button.id, title: $0) }
        }
        var lengths: [ChannelLength] = []
        var channelProblems: [String: String] = [:]
        let smsReply = buttons.isEmpty ? nil : template?.smsReply(for: choice.locale)
        if let text {
            for channel in rule.channels {
                // An SMS carries the reply instruction too: measure what it will send.
                let sent = endpoints[channel]?.kind == .twilio ? smsReply.map { text + "\n" + $0 } ?? text : text
                let measured = measure(sent, channel: channel, whatsapp: whatsappTemplate != nil ? .template : buttons.isEmpty ? .text : .interactive)
                if let maximum = measured.maximum, measured.length > maximum {
                    channelProblems[channel] = "rule \(rule.id), locale \(choice.locale): text is \(measured.length) \(measured.unit) long, "
                        + "over the maximum of \(maximum) for endpoint '\(channel)'"
                }
                lengths.append(measured)
            }
        }
        let recipient = ResolvedRecipient(address: addressText, locale: locale, timezone: timezone)
        plan.messages.append(PlannedMessage(
            rule: rule.id, element: index,
            recipient: recipient,
            locale: choice, formattingLocale: formatting, channels: rule.channels, template: rule.templateID, params: params,
            text: text, lengths: lengths, problems: problems, channelProblems: channelProblems,
            buttons: buttons, whatsappTemplate: whatsappTemplate,
            smsReply: smsReply,
            delivery: DeliveryTerms(rule: rule, address: recipient.normalizedAddress, event: event, element: element, now: now)))
    }

    /// Numbers, money and dates follow the recipient's own locale when it speaks the text's language
    /// (an `en-IN` reader of the `en` text sees ₹12,34,567.89 and "14 Mar 2025"); otherwise the text's.
    public static func formattingLocale(recipient: String?, text: String) -> String {
        guard let recipient, !recipient.isEmpty else { return text }
        let wanted = LocaleNegotiation.canonical(recipient)
        let language = { (tag: String) in tag.split(separator: "-").first.map(String.init) ?? tag }
        return language(wanted) == language(LocaleNegotiation.canonical(text)) ? wanted : text
    }

    /// WhatsApp caps a text message body at 4,096 characters, and the body of a message with reply
    /// buttons at 1,024; an endpoint's `max_length` lowers either.
    /// A template message sends only its parameters, so the text's length does not bind it.
    private func measure(_ text: String, channel: String, whatsapp form: WhatsAppForm) -> ChannelLength {
        let endpoint = endpoints[channel]
        switch endpoint?.kind {
        case .twilio?:
            let sms = SMSLength.measure(text)
            // SMS limits count what the network counts: GSM-7 characters or UCS-2 units.
            return ChannelLength(channel: channel, length: sms.units, sms: sms, maximum: endpoint?.maxLength)
        case .whatsapp?:
            guard form != .template else { return ChannelLength(channel: channel, length: TextLength.characters(text), sms: nil, maximum: nil) }
            let cap = form == .interactive ? TextLength.whatsAppTemplateBodyLimit : TextLength.whatsAppTextBodyLimit
            let limit = min(endpoint?.maxLength ?? cap, cap)
            return ChannelLength(channel: channel, length: TextLength.characters(text), sms: nil, maximum: limit)
        default:
            return ChannelLength(channel: channel, length: TextLength.characters(text), sms: nil, maximum: endpoint?.maxLength)
        }
    }

    private enum WhatsAppForm { case text, interactive, template }

    /// A param's value as shown in a dry run, and as a typed argument for the renderer.
    private func resolve(_ param: Param, event: JSONValue, element: JSONValue?, recipientZone: String?)
        -> (JSONValue, Result<MessageArgument, RenderError>)
    {
        func fail(_ message: String) -> Result<MessageArgument, RenderError> { .failure(RenderError(argument: param.name, message: message)) }
        func value(_ source: ValueSource) -> JSONValue? { source.resolve(event: event, element: element) }

        switch param.source {
        case .value(let source):
            guard let found = value(source) else { return (.null, fail("\(source) is missing")) }
            switch found {
            case .string(let text): return (found, .success(.text(text)))
            case .number(let number): return (found, Self.decimal(number).map { .success(.number($0, literal: number.literal)) } ?? fail("\(number) is not a decimal number"))
            case .bool(let flag): return (found, .success(.text(flag ? "true" : "false")))
            case .null: return (found, fail("\(source) is null"))
            case .array, .object: return (found, fail("\(source) is a \(found.typeName); name a single value"))
            }
        case .number(let source):
            guard let found = value(source) else { return (.null, fail("\(source) is missing")) }
            guard let (number, literal) = Self.numeric(found) else { return (found, fail("\(source) is \(found.compactJSON), not a number")) }
            return (found, .success(.number(number, literal: literal)))
        case .money(let amountSource, let currencySource):
            let amount = value(amountSource), currency = value(currencySource)
            let shown: JSONValue = ["money": amount ?? .null, "currency": currency ?? .null]
            guard let amount else { return (shown, fail("\(amountSource) is missing")) }
            guard let (number, _) = Self.numeric(amount) else { return (shown, fail("amount \(amount.compactJSON) is not a number")) }
            guard let code = currency?.stringValue, code.count == 3, code.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                return (shown, fail("currency \(currency?.compactJSON ?? "(missing)") is not an ISO 4217 code"))
            }
            return (shown, .success(.money(number, currency: code.uppercased())))
        case .datetime(let instantSource, let zoneSource):
            let instant = value(instantSource)
            let zoneValue: JSONValue? = zoneSource.map { value($0) } ?? recipientZone.map { .string($0) } ?? "UTC"
            let shown: JSONValue = ["datetime": instant ?? .null, "timezone": zoneValue ?? .null]
            guard let instant else { return (shown, fail("\(instantSource) is missing")) }
            guard let date = Instant.parse(instant) else {
                return (shown, fail("\(instant.compactJSON) is not an RFC 3339 time or epoch seconds/milliseconds"))
            }
            // Foundation turns "UTC" into GMT (and names it so in long times); Etc/UTC keeps CLDR's "UTC".
            guard let zoneName = zoneValue?.stringValue, let zone = TimeZone(identifier: zoneName == "UTC" ? "Etc/UTC" : zoneName) else {
                return (shown, fail("time zone \(zoneValue?.compactJSON ?? "(missing)") is not an IANA zone"))
            }
            return (shown, .success(.instant(date, timeZone: zone)))
        }
    }

    static func decimal(_ number: JSONNumber) -> Decimal? {
        MessageArgument.decimal(number.literal)
    }

    /// Numbers, and strings holding a decimal number (amounts often travel as strings to keep precision).
    static func numeric(_ value: JSONValue) -> (Decimal, String)? {
        switch value {
        case .number(let number): decimal(number).map { ($0, number.literal) }
        case .string(let text): MessageArgument.decimal(text).map { ($0, text) }
        default: nil
        }
    }
}

extension JSONValue {
    /// Strings as they are, numbers as their literal (a phone number sent as a number still works).
    var scalarText: String? {
        switch self {
        case .string(let text): text
        case .number(let number): number.literal
        default: nil
        }
    }
}
