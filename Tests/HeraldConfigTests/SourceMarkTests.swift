import Testing
@testable import HeraldConfig

@Test func sourceMarkOrder() {
    #expect(SourceMark(line: 1, column: 9) < SourceMark(line: 2, column: 1))
}
