import Testing

@testable import HeraldServer

@Suite struct LogRedactionTests {
    @Test(arguments: [
        ("The 'To' number +15005550001 is not a valid phone number.", "The 'To' number +••••••••001 is not a valid phone number."),
        ("to +91 98765-43210, retry", "to +•••••••••210, retry"),
        ("HTTP 400, code 131026 at 2025-03-14", "HTTP 400, code 131026 at 2025-03-14"),
        ("wamid.HBgMOTE5ODc2NTQzMjEwFQIAERgS", "wamid.HBgMOTE5ODc2NTQzMjEwFQIAERgS"),
        ("order 12345678 ", "order •••••678 "),
        ("", ""),
    ])
    func numbersOfSevenDigitsOrMoreAreMasked(_ text: String, _ expected: String) {
        #expect(LogRedaction.maskingPhoneNumbers(text) == expected)
    }
}
