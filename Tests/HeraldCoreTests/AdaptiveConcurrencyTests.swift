import HeraldCore
import Testing

/// The adaptive concurrency limit, fed samples by hand: it grows while round trips hold, stays put
/// while the sender (not the endpoint) is what limits, shrinks when round trips rise or the endpoint
/// says it is overloaded, and never leaves 1…ceiling.
@Suite struct AdaptiveConcurrencyTests {
    /// `count` answers after `roundTrip`, each with the limit fully in use.
    static func feed(_ limit: inout AdaptiveConcurrency, _ count: Int, roundTrip: Duration) {
        for _ in 0..<count { limit.record(.answered(after: roundTrip), inFlight: limit.limit) }
    }

    @Test func startsAtTwentyOrTheCeilingAndGrowsToTheCeilingWhileLatencyHolds() {
        #expect(AdaptiveConcurrency(ceiling: 8).limit == 8)
        var limit = AdaptiveConcurrency(ceiling: 64)
        #expect(limit.limit == 20)
        Self.feed(&limit, 10, roundTrip: .milliseconds(5))
        #expect(limit.limit > 20 && limit.limit < 64, "\(limit.limit)")
        Self.feed(&limit, 200, roundTrip: .milliseconds(5))
        #expect(limit.limit == 64)
    }

    @Test func doesNotGrowWhileFewerThanHalfTheSlotsAreInUse() {
        var limit = AdaptiveConcurrency(ceiling: 64)
        for _ in 0..<500 { limit.record(.answered(after: .milliseconds(5)), inFlight: 3) }
        #expect(limit.limit == 20)
    }

    @Test func shrinksWhenRoundTripsRiseAndRecoversWhenTheyFallBack() {
        var limit = AdaptiveConcurrency(ceiling: 64)
        Self.feed(&limit, 300, roundTrip: .milliseconds(5))
        #expect(limit.limit == 64)
        // The endpoint starts queueing: answers take eight times as long.
        Self.feed(&limit, 30, roundTrip: .milliseconds(40))
        let squeezed = limit.limit
        #expect(squeezed < 40, "\(squeezed)")
        Self.feed(&limit, 400, roundTrip: .milliseconds(5))
        #expect(limit.limit == 64)
    }

    @Test func aSteadySlowerEndpointBecomesTheUsualAndTheLimitGrowsAgain() {
        var limit = AdaptiveConcurrency(ceiling: 64)
        Self.feed(&limit, 300, roundTrip: .milliseconds(5))
        Self.feed(&limit, 2000, roundTrip: .milliseconds(30))
        #expect(limit.limit == 64, "a steady 30 ms is the endpoint's pace, not a queue")
    }

    @Test func anOverloadAnswerCutsTheLimitAtOnceButNeverBelowOne() {
        var limit = AdaptiveConcurrency(ceiling: 64)
        Self.feed(&limit, 300, roundTrip: .milliseconds(5))
        limit.record(.overloaded, inFlight: 64)
        #expect(limit.limit == 57)
        for _ in 0..<200 { limit.record(.overloaded, inFlight: 1) }
        #expect(limit.limit == 1)
    }

    @Test func aLowerCeilingCapsTheLimitAndAHigherOneIsGrownInto() {
        var limit = AdaptiveConcurrency(ceiling: 64)
        Self.feed(&limit, 300, roundTrip: .milliseconds(5))
        limit.setCeiling(16)
        #expect(limit.limit == 16)
        limit.setCeiling(32)
        #expect(limit.limit == 16)
        Self.feed(&limit, 100, roundTrip: .milliseconds(5))
        #expect(limit.limit == 32)
    }

    @Test(arguments: [
        (DeliveryOutcome.retryable(ProviderError(status: 429, message: "slow down"), retryAfter: nil), true),
        (.retryable(ProviderError(status: 503, message: "unavailable"), retryAfter: nil), true),
        (.retryable(ProviderError(message: "timed out after 10000 ms"), retryAfter: nil), true),
        (.retryable(ProviderError(status: 500, message: "oops"), retryAfter: nil), false),
        (.permanent(ProviderError(status: 400, message: "bad")), false),
        (.delivered(providerID: "x"), false),
    ])
    func overloadSignals(outcome: DeliveryOutcome, overloaded: Bool) {
        #expect(AdaptiveConcurrency.isOverload(outcome) == overloaded)
    }
}
