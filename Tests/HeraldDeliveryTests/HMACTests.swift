import Testing
@testable import HeraldDelivery

@Suite struct HMACTests {
    /// RFC 4231 test case 2.
    @Test func matchesTheRFC4231Vector() {
        let mac = HMACSHA256.hex(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(mac == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func comparesInConstantTimeAndRejectsEmpty() {
        let a = HMACSHA256.mac(key: [1], message: [2])
        #expect(HMACSHA256.equal(a, a))
        #expect(!HMACSHA256.equal(a, HMACSHA256.mac(key: [1], message: [3])))
        #expect(!HMACSHA256.equal([], []))
    }
}
