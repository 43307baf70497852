import HeraldStore
import Testing

@Suite struct DeliveryStatusTests {
    /// The raw values are stored in SQLite and named in the API (`?status=dead`): they must not change.
    @Test func rawValuesAreTheStoredNames() {
        #expect(DeliveryStatus.allCases.map(\.rawValue) == ["pending", "delivered", "dead", "suppressed", "expired"])
        #expect(DeliveryStatus(rawValue: "dead") == .dead)
        #expect(DeliveryStatus(rawValue: "failed") == nil)
    }
}
