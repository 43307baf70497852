import Testing

@testable import HeraldCore

/// A webhook's `body:` template: placeholders, their JSON types, escapes and errors.
@Suite struct BodyTemplateTests {
    static func template(_ members: [(String, String)]) throws -> BodyTemplate {
        BodyTemplate(root: .object(try members.map { (key: $0.0, node: .string(try BodyTemplate.pieces(of: $0.1))) }))
    }

    static let values: [BodyTemplate.Field: JSONValue] = [
        .text: "Flight LA3301 leaves at 21:25", .deliveryID: "e-1/delay", .element: 2,
        .param("amount"): ["money": "1249.90", "currency": "BRL"], .recipientLocale: nil,
        .buttons: [["id": "ok", "title": "Tudo certo"]],
    ]

    @Test func aWholePlaceholderKeepsItsJSONTypeAndAnEmbeddedOneBecomesText() throws {
        let body = try Self.template([
            ("message", "${text}"), ("amount", "${params.amount}"), ("seat", "${ element }"), ("buttons", "${buttons}"),
            ("ref", "herald-${delivery_id}#${element}"), ("summary", "paid ${params.amount}"), ("locale", "${recipient.locale}"),
            ("lang", "[${recipient.locale}]"), ("literal", "costs $${price}, not ${text}"),
        ]).render { Self.values[$0] ?? nil }
        #expect(body == [
            "message": "Flight LA3301 leaves at 21:25",
            "amount": ["money": "1249.90", "currency": "BRL"],
            "seat": 2,
            "buttons": [["id": "ok", "title": "Tudo certo"]],
            "ref": "herald-e-1/delay#2",
            "summary": #"paid {"money":"1249.90","currency":"BRL"}"#,
            "locale": nil,
            "lang": "[]",
            "literal": "costs ${price}, not Flight LA3301 leaves at 21:25",
        ])
    }

    @Test func listsTheFieldsItUses() throws {
        #expect(try Self.template([("a", "${text} ${params.x}"), ("b", "${rule}")]).fields == [.text, .param("x"), .rule])
    }

    @Test(arguments: [
        ("${txt}", 0, "unknown placeholder '${txt}'", "did you mean '${text}'?"),
        ("Dear ${recipient.name}", 5, "unknown placeholder '${recipient.name}'", "did you mean '${recipient.locale}'?"),
        ("ok ${params.2fa}", 3, "unknown placeholder '${params.2fa}'", "use one of"),
        ("pay ${text", 4, "'${' is not closed", "write ${text}, or $${ for a literal '${'"),
    ])
    func namesTheBadPlaceholderAndWhereItIs(_ text: String, _ offset: Int, _ message: String, _ hint: String) {
        #expect {
            _ = try BodyTemplate.pieces(of: text)
        } throws: { error in
            guard let error = error as? BodyTemplate.ParseError else { return false }
            return error.offset == offset && error.message == message && error.hint.hasPrefix(hint)
        }
    }
}
