import Testing
@testable import HeraldCore

@Test func jsonPointerText() {
    #expect(JSONPointer([.key("a/b"), .index(0), .key("c~d")]).description == "/a~1b/0/c~0d")
}
