import Testing

@testable import HeraldDelivery

/// Whether a URL is HTTPS decides whether a transfer waits for HTTP/2 (PIPEWAIT): any case of the scheme.
@Suite struct CurlTransportSchemeTests {
    @Test(arguments: [
        ("https://graph.facebook.com/v23.0/1/messages", true),
        ("HTTPS://api.twilio.com/", true),
        ("HtTpS:", true),
        ("http://127.0.0.1:8080/hook", false),
        ("https", false),
        ("httpsx://example.com", false),
        ("", false),
        ("https\u{1A}//x", false),
    ])
    func isHTTPS(url: String, expected: Bool) {
        #expect(CurlTransport.isHTTPS(url) == expected)
    }
}
