import HeraldCore
import Testing

/// Field names compare ASCII case-insensitively, and only ASCII letters fold.
@Suite struct HTTPFieldNameTests {
    @Test(arguments: [
        ("Content-Type", "content-type", true),
        ("X-Herald-Delivery-Id", "x-herald-delivery-ID", true),
        ("Retry-After", "Retry-After", true),
        ("Retry-After", "Retry-Afte", false),
        ("Expect", "Expecu", false),
        // '@' | 0x20 is '`', '[' | 0x20 is '{': only letters fold.
        ("A@", "a`", false),
        ("X[", "x{", false),
        ("", "", true),
        ("Ä", "ä", false),
    ])
    func equal(a: String, b: String, same: Bool) {
        #expect(HTTPFieldName.equal(a, b) == same)
        #expect(HTTPRequest(url: "http://h", headers: [(a, "v")]).header(b) == (same ? "v" : nil))
        #expect(HTTPResponse(status: 200, headers: [(a, "v")]).header(b) == (same ? "v" : nil))
    }
}
