import Testing
@testable import HeraldCore

private func sms(_ encoding: SMSLength.Encoding, _ units: Int, _ segments: Int) -> SMSLength {
    SMSLength(encoding: encoding, units: units, segments: segments)
}

private func repeated(_ text: String, _ count: Int) -> String {
    String(repeating: text, count: count)
}

@Suite struct TextLengthTests {
    // MARK: - GSM-7

    static let gsm7Cases: [(String, String, SMSLength)] = [
        ("empty: nothing to send", "", sms(.gsm7, 0, 0)),
        ("one character", "a", sms(.gsm7, 1, 1)),
        ("160 fit one part", repeated("a", 160), sms(.gsm7, 160, 1)),
        ("161 need two parts", repeated("a", 161), sms(.gsm7, 161, 2)),
        ("306 fill two parts", repeated("a", 306), sms(.gsm7, 306, 2)),
        ("307 need a third", repeated("a", 307), sms(.gsm7, 307, 3)),
        ("€ counts 2: 80 fit one part", repeated("€", 80), sms(.gsm7, 160, 1)),
        ("159 + € is 161", repeated("a", 159) + "€", sms(.gsm7, 161, 2)),
        ("158 + € is 160", repeated("a", 158) + "€", sms(.gsm7, 160, 1)),
        // 76 € fill 152 septets of part 1; the 77th would straddle, so it opens part 2.
        ("81 €", repeated("€", 81), sms(.gsm7, 162, 2)),
        ("153 €: 76 + 76 + 1", repeated("€", 153), sms(.gsm7, 306, 3)),
        // 306 septets would be 2 parts, but the escape pair at septets 153–154 moves to part 2,
        // which then overflows by one.
        ("escape pair straddling the part boundary", repeated("a", 152) + "€" + repeated("a", 152),
         sms(.gsm7, 306, 3)),
        ("escape pair ending part 1 exactly", repeated("a", 151) + "€" + repeated("a", 153), sms(.gsm7, 306, 2)),
        ("escape pair starting part 2", repeated("a", 153) + "€" + repeated("a", 151), sms(.gsm7, 306, 2)),
        ("straddle at the second boundary", repeated("a", 305) + "{" + repeated("a", 3), sms(.gsm7, 310, 3)),
        ("every extension character counts 2", "\u{0C}^{}\\[~]|€", sms(.gsm7, 20, 1)),
        ("CR LF is one Character but two septets", "a\r\nb", sms(.gsm7, 4, 1)),
        ("Ç is in the basic table", "FRANÇA", sms(.gsm7, 6, 1)),
        ("Greek capitals and accented letters of the basic table",
         "ΔΦΓΛΩΠΨΣΘΞ £¥èéùìòØøÅåÆæßÉ¤¡ÄÖÑÜ§¿äöñüà @$_", sms(.gsm7, 43, 1)),
        ("Indonesian fraud prompt",
         "Ada transaksi Rp1.500.000 di Tokopedia dengan kartu Anda yang berakhiran 4242. Apakah ini Anda?",
         sms(.gsm7, 95, 1)),
        ("English delay notice with an ASCII time",
         "Hi Ana, flight XH 123 is delayed by 45 minutes. New departure: 14 Mar 2025, 19:55 from DEL.",
         sms(.gsm7, 91, 1)),
    ]

    @Test(arguments: gsm7Cases)
    func gsm7(_ name: String, _ text: String, _ expected: SMSLength) {
        #expect(SMSLength.measure(text) == expected, "\(name)")
    }

    // MARK: - UCS-2

    static let ucs2Cases: [(String, String, SMSLength)] = [
        ("Devanagari 70 fit one part", repeated("क", 70), sms(.ucs2, 70, 1)),
        ("Devanagari 71 need two", repeated("क", 71), sms(.ucs2, 71, 2)),
        ("Devanagari 134 fill two", repeated("क", 134), sms(.ucs2, 134, 2)),
        ("Devanagari 135 need a third", repeated("क", 135), sms(.ucs2, 135, 3)),
        ("one non-GSM character makes the whole text UCS-2", repeated("a", 69) + "ç", sms(.ucs2, 70, 1)),
        ("and costs the 160-character room", repeated("a", 70) + "ç", sms(.ucs2, 71, 2)),
        ("Portuguese ção", "Atenção: transação", sms(.ucs2, 18, 1)),
        ("Portuguese ê", "Foi você?", sms(.ucs2, 9, 1)),
        ("rupee sign", "₹500", sms(.ucs2, 4, 1)),
        ("no-break space in CLDR's pt-BR money", "R$\u{A0}1.234,56", sms(.ucs2, 11, 1)),
        ("narrow no-break space in CLDR's English time", "7:55\u{202F}PM", sms(.ucs2, 7, 1)),
        ("tab is not GSM-7", "a\tb", sms(.ucs2, 3, 1)),
        ("backtick is not GSM-7", "`", sms(.ucs2, 1, 1)),
        ("curly apostrophe is not GSM-7", "it’s", sms(.ucs2, 4, 1)),
        ("decomposed é is not normalized", "e\u{301}", sms(.ucs2, 2, 1)),
        ("€ costs 1 unit in UCS-2", "€ç", sms(.ucs2, 2, 1)),
        ("emoji is a surrogate pair", "😀", sms(.ucs2, 2, 1)),
        ("35 emoji fit one part", repeated("😀", 35), sms(.ucs2, 70, 1)),
        // 33 emoji fill 66 units of part 1; the 34th would straddle, so each part holds 33.
        ("36 emoji", repeated("😀", 36), sms(.ucs2, 72, 2)),
        ("67 emoji: 33 + 33 + 1", repeated("😀", 67), sms(.ucs2, 134, 3)),
        ("surrogate pair straddling the 67 boundary", repeated("a", 66) + "😀" + repeated("a", 66), sms(.ucs2, 134, 3)),
        ("surrogate pair ending part 1 exactly", repeated("a", 65) + "😀" + repeated("a", 67), sms(.ucs2, 134, 2)),
        ("surrogate pair starting part 2", repeated("a", 67) + "😀" + repeated("a", 65), sms(.ucs2, 134, 2)),
        ("emoji just over one part", repeated("a", 66) + "😀" + repeated("a", 3), sms(.ucs2, 71, 2)),
        ("skin tone: two surrogate pairs", "👍🏽", sms(.ucs2, 4, 1)),
        ("Hindi fraud prompt",
         "आपके कार्ड (अंतिम अंक 4242) से Amazon पर ₹12,34,567.89 का भुगतान हुआ है। क्या यह भुगतान आपने किया था?",
         sms(.ucs2, 101, 2)),
    ]

    @Test(arguments: ucs2Cases)
    func ucs2(_ name: String, _ text: String, _ expected: SMSLength) {
        #expect(SMSLength.measure(text) == expected, "\(name)")
    }

    // MARK: - The alphabet

    /// 3GPP TS 23.038 §6.2.1 in code order (0x1B, the escape, left out), then §6.2.1.1.
    static let basicTable =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
        + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
    static let extensionTable = "\u{0C}^{}\\[~]|€"

    @Test func alphabetIsExactlyTheGSMTables() {
        let basic = Set(Self.basicTable.unicodeScalars)
        let extended = Set(Self.extensionTable.unicodeScalars)
        #expect(basic.count == 127)
        #expect(extended.count == 10)
        // Every scalar of the BMP and the emoji planes: exactly the tables' characters are GSM-7.
        var oneSeptet = 0
        var twoSeptets = 0
        for value in UInt32(0)...0x2FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            switch GSM7Alphabet.septets(for: scalar) {
            case 1?:
                oneSeptet += 1
                #expect(basic.contains(scalar), "U+\(String(value, radix: 16, uppercase: true)) is not in the basic table")
            case 2?:
                twoSeptets += 1
                #expect(extended.contains(scalar), "U+\(String(value, radix: 16, uppercase: true)) is not in the extension table")
            case nil:
                #expect(!basic.contains(scalar) && !extended.contains(scalar))
            case let other?:
                Issue.record("U+\(String(value, radix: 16)) takes \(other) septets")
            }
        }
        #expect(oneSeptet == 127)
        #expect(twoSeptets == 10)
    }

    @Test func wholeTablesMeasure() {
        #expect(SMSLength.measure(Self.basicTable) == sms(.gsm7, 127, 1))
        #expect(SMSLength.measure(Self.basicTable + Self.extensionTable) == sms(.gsm7, 147, 1))
    }

    @Test func capacities() {
        #expect(SMSLength.Encoding.gsm7.singlePartCapacity == 160)
        #expect(SMSLength.Encoding.gsm7.concatenatedPartCapacity == 153)
        #expect(SMSLength.Encoding.ucs2.singlePartCapacity == 70)
        #expect(SMSLength.Encoding.ucs2.concatenatedPartCapacity == 67)
        #expect(SMSLength.Encoding.gsm7.rawValue == "GSM-7")
        #expect(SMSLength.Encoding.ucs2.rawValue == "UCS-2")
    }

    /// Long texts stay exact: parts are counted one by one, never estimated from the total.
    @Test(arguments: [2, 10, 100])
    func longTexts(_ parts: Int) {
        #expect(SMSLength.measure(repeated("a", 153 * parts)).segments == parts)
        #expect(SMSLength.measure(repeated("a", 153 * parts + 1)).segments == parts + 1)
        #expect(SMSLength.measure(repeated("क", 67 * parts)).segments == parts)
        #expect(SMSLength.measure(repeated("क", 67 * parts + 1)).segments == parts + 1)
        // A part holds 76 € (152 septets; the 77th pair would straddle) and 33 emoji (66 units), so
        // these need one part more than their total divided by 153 or 67 suggests.
        #expect(SMSLength.measure(repeated("€", 76 * parts + 1)) == sms(.gsm7, 152 * parts + 2, parts + 1))
        #expect(SMSLength.measure(repeated("😀", 33 * parts + 1)) == sms(.ucs2, 66 * parts + 2, parts + 1))
    }

    // MARK: - WhatsApp

    static let whatsAppCases: [(String, Int)] = [
        ("", 0),
        ("abc", 3),
        ("é", 1),
        ("e\u{301}", 2),
        ("₹12,34,567.89", 13),
        ("नमस्ते", 6),
        ("👍", 2),
        ("👍🏽", 4),
        ("🇮🇳", 4),
        ("👨‍👩‍👧", 8),
        ("\r\n", 2),
    ]

    @Test(arguments: whatsAppCases)
    func whatsAppCharacters(_ text: String, _ expected: Int) {
        #expect(TextLength.characters(text) == expected)
    }

    @Test func whatsAppLimits() {
        #expect(TextLength.whatsAppTextBodyLimit == 4096)
        #expect(TextLength.whatsAppTemplateBodyLimit == 1024)
        #expect(TextLength.characters(repeated("😀", 2048)) == 4096)
    }
}
