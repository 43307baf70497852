import Foundation
import HeraldCore
import Testing

/// The planner's decisions on how the outbox treats each message, made from the rule, the event
/// and the time of acceptance alone.
@Suite struct DeliveryTermsTests {
    static let acceptedAt = Date(timeIntervalSince1970: 1_741_945_337)
    static func planner(_ rule: Rule) throws -> MessagePlanner {
        let template = Template(id: "t", defaultLocale: "en", translations: [
            .init(locale: "en", source: "", message: try MessageFormat(parsing: "Gate {gate}")),
        ])
        return MessagePlanner(ruleSet: RuleSet(rules: [rule], templates: ["t": template]), endpoints: [])
    }

    static func rule(
        forEach: String? = nil, address: String = "$.data.phone", category: RuleCategory = .service, urgent: Bool = false,
        expires: Duration? = nil, dedupe: Dedupe? = nil, respectOptOut: Bool? = nil
    ) throws -> Rule {
        Rule(id: "gate-change", pattern: try EventPattern(json: JSONParser.parse(#"{"type":["gate"]}"#)),
             forEach: try forEach.map { try ValuePath(parsing: $0) },
             recipient: Recipient(address: .path(try ValuePath(parsing: address))), channels: ["sms"], templateID: "t",
             params: [Param(name: "gate", source: .value(.path(try ValuePath(parsing: "$.data.gate"))))],
             category: category, urgent: urgent, expires: expires, dedupe: dedupe, respectOptOut: respectOptOut)
    }

    static func terms(_ rule: Rule, _ event: String) throws -> [DeliveryTerms] {
        try planner(rule).plan(try JSONParser.parse(event), now: acceptedAt).messages.map(\.delivery)
    }

    @Test func aPlainRuleIsNormalNeverExpiresAndRespectsOptOuts() throws {
        let terms = try #require(try Self.terms(Self.rule(), #"{"type":"gate","data":{"phone":"+15550001111","gate":"B7"}}"#).first)
        #expect(terms == DeliveryTerms(priority: .normal, expiresAt: nil, dedupe: nil, optOutCategory: .service))
        #expect(!terms.urgent)
    }

    @Test func urgentAndExpiryCountFromAcceptance() throws {
        let terms = try #require(try Self.terms(Self.rule(urgent: true, expires: .seconds(900)),
                                                #"{"type":"gate","data":{"phone":"+15550001111","gate":"B7"}}"#).first)
        #expect(terms.priority == .urgent && terms.urgent)
        #expect(terms.expiresAt == Self.acceptedAt.addingTimeInterval(900))
    }

    @Test(arguments: [
        (RuleCategory.fraud, nil as Bool?, nil as RuleCategory?),
        (.fraud, true, .fraud),
        (.service, false, nil),
        (.marketing, nil, .marketing),
    ])
    func theOptOutCategoryFollowsTheRule(category: RuleCategory, respectOptOut: Bool?, expected: RuleCategory?) throws {
        let terms = try Self.terms(Self.rule(category: category, respectOptOut: respectOptOut),
                                   #"{"type":"gate","data":{"phone":"+15550001111","gate":"B7"}}"#)
        #expect(terms.map(\.optOutCategory) == [expected])
    }

    /// Under `for_each`, `@` paths read each element; the key is scoped to the normalized address.
    @Test func aFanOutDeduplicatesEachElementByItsOwnKeyAndAddress() throws {
        let rule = try Self.rule(forEach: "$.data.passengers", address: "@.phone",
                                 dedupe: Dedupe(key: [try ValuePath(parsing: "@.seat")], window: .seconds(3600)))
        let event = #"{"type":"gate","data":{"gate":"B7","passengers":[{"phone":"+1 (555) 000-1111","seat":"12A"},{"phone":"+15550002222"},{"phone":"Ana@Example.com","seat":"3C"}]}}"#
        let terms = try Self.terms(rule, event)
        #expect(terms.map(\.dedupe) == [
            DeliveryTerms.Dedupe(key: "gate-change\u{1F}+15550001111\u{1F}\"12A\"", window: .seconds(3600)),
            nil,  // no seat: not deduplicated (better twice than never)
            DeliveryTerms.Dedupe(key: "gate-change\u{1F}ana@example.com\u{1F}\"3C\"", window: .seconds(3600)),
        ])
    }

    @Test(arguments: [
        ("+91 98765-43210", "+919876543210"),
        ("919876543210", "+919876543210"),
        ("(0)12345678", "(0)12345678"),
        ("Ana@Example.COM", "ana@example.com"),
        ("+1 555", "+1 555"),
    ])
    func addressesAreKeptInOneForm(raw: String, normalized: String) {
        #expect(RecipientAddress.normalized(raw) == normalized)
    }
}
