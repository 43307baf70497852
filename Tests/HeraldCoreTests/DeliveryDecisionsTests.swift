import Foundation
import Testing

@testable import HeraldCore


private func seconds(_ value: Double) -> Duration { .nanoseconds(Int64(value * 1e9)) }
private let someError = ProviderError(status: 503, message: "unavailable")

@Suite struct BackoffTests {
    @Test func ceilingsFollowTheDocumentedTable() {
        let backoff = Backoff()
        let expected: [Double] = [0.5, 1, 2, 4, 8, 16, 32, 60, 60, 60]
        for (index, ceiling) in expected.enumerated() {
            #expect(backoff.ceiling(forRetry: index + 1) == seconds(ceiling), "retry \(index + 1)")
        }
        #expect(backoff.ceiling(forRetry: 0) == .milliseconds(500))
        #expect(backoff.ceiling(forRetry: -3) == .milliseconds(500))
        #expect(backoff.ceiling(forRetry: 10_000) == .seconds(60))
        #expect(Backoff(base: .seconds(1), cap: .seconds(10)).ceiling(forRetry: 5) == .seconds(10))
    }

    @Test func tenThousandDrawsPerRetryStayWithinZeroAndTheCeilingAndUseTheWholeRange() {
        var generator = SeededGenerator(seed: 42)
        let backoff = Backoff()
        for retry in 1...10 {
            let ceiling = backoff.ceiling(forRetry: retry)
            var total = 0.0
            var largest = Duration.zero
            for _ in 0..<10_000 {
                let delay = backoff.delay(forRetry: retry, using: &generator)
                #expect(delay >= .zero && delay <= ceiling)
                #expect(delay <= .seconds(60))
                total += Double(delay.saturatedNanoseconds)
                largest = max(largest, delay)
            }
            // Full jitter: uniform over [0, ceiling], so the mean is half the ceiling and draws reach the top.
            let mean = total / 10_000 / Double(ceiling.saturatedNanoseconds)
            #expect(abs(mean - 0.5) < 0.02, "retry \(retry): mean \(mean) of the ceiling")
            #expect(largest > ceiling * 0.99, "retry \(retry)")
        }
    }

    @Test func retryAfterIsALowerBoundForEveryDraw() {
        var generator = SeededGenerator(seed: 7)
        let backoff = Backoff()
        for retry in 1...10 {
            for _ in 0..<10_000 {
                let delay = backoff.delay(forRetry: retry, retryAfter: .seconds(3), using: &generator)
                #expect(delay >= .seconds(3))
                #expect(delay <= max(.seconds(3), backoff.ceiling(forRetry: retry)))
            }
        }
    }

    @Test func aRetryAfterBeyondTheCapIsHonouredButTheLimitStillCaps() {
        var generator = SeededGenerator(seed: 1)
        let backoff = Backoff()
        #expect(backoff.delay(forRetry: 1, retryAfter: .seconds(120), using: &generator) == .seconds(120))
        #expect(backoff.delay(forRetry: 1, retryAfter: .seconds(120), limit: .seconds(90), using: &generator) == .seconds(90))
        for _ in 0..<1000 {
            #expect(backoff.delay(forRetry: 9, limit: .seconds(5), using: &generator) <= .seconds(5))
        }
        #expect(backoff.delay(forRetry: 3, limit: .seconds(-1), using: &generator) == .zero)
    }

    @Test func theSameSeedGivesTheSameSchedule() {
        func schedule(seed: UInt64) -> [Duration] {
            var generator = SeededGenerator(seed: seed)
            return (1...8).map { Backoff().delay(forRetry: $0, using: &generator) }
        }
        #expect(schedule(seed: 99) == schedule(seed: 99))
        #expect(schedule(seed: 99) != schedule(seed: 100))
    }

    @Suite struct RetryAfterParsing {
        /// 2025-03-14T09:30:00Z
        static let now = Date(timeIntervalSince1970: 1_741_944_600)

        @Test(arguments: [
            ("120", Duration.seconds(120)),
            ("0", .zero),
            (" \t7 ", .seconds(7)),
            ("Fri, 14 Mar 2025 09:30:30 GMT", .seconds(30)),
            ("Friday, 14-Mar-25 09:31:00 GMT", .seconds(60)),
            ("Fri Mar 14 09:30:05 2025", .seconds(5)),
            ("Fri Mar 14 09:30:05 2025", .seconds(5)),
            ("Thu, 13 Mar 2025 09:30:00 GMT", .zero),
            ("Sun, 06 Nov 1994 08:49:37 GMT", .zero),
            ("99999999999999999999999", RetryAfter.maximum),
        ])
        func validValues(value: String, expected: Duration) {
            #expect(RetryAfter.parse(value, now: Self.now) == expected)
        }

        @Test(arguments: [
            "", "  ", "soon", "-1", "+5", "1.5", "1e3", "12 s", "0x10",
            "Fri, 14 Mar 2025 09:30:30 PST", "Fri, 14 Mar 2025 09:30:30", "Fri, 31 Feb 2025 09:30:30 GMT",
            "Fri, 14 Mar 2025 24:00:00 GMT", "Fri, 14 Mar 2025 09:60:00 GMT", "Fri, 14 March 2025 09:30:30 GMT",
            "Fri 14 Mar 2025 09:30:30 GMT", "Fri, 14 Mar 25 09:30:30 GMT", "fri, 14 mar 2025 09:30:30 gmt",
            "Fri, 14 Mar 2025 09:30:30 GMT extra", "Friday, 14-Mar-2025 09:30:30 GMT", "Fri Mar 14 09:30 2025",
        ])
        func garbageIsNil(value: String) {
            #expect(RetryAfter.parse(value, now: Self.now) == nil)
        }

        @Test func httpDatesOfAllThreeFormsNameTheSameInstant() {
            let instant = Date(timeIntervalSince1970: 784_111_777)
            #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == instant)
            #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT", now: Self.now) == instant)
            #expect(HTTPDate.parse("Sun Nov  6 08:49:37 1994") == instant)
            #expect(HTTPDate.format(instant) == "Sun, 06 Nov 1994 08:49:37 GMT")
            #expect(HTTPDate.format(Self.now) == "Fri, 14 Mar 2025 09:30:00 GMT")
            #expect(HTTPDate.format(Date(timeIntervalSince1970: 951_782_400)) == "Tue, 29 Feb 2000 00:00:00 GMT")
            #expect(HTTPDate.format(Date(timeIntervalSince1970: -1)) == "Wed, 31 Dec 1969 23:59:59 GMT")
        }

        @Test func rfc850TwoDigitYearsMoreThanFiftyYearsAheadAreLastCentury() {
            // Seen in 2025: '74 is 2074 (49 years ahead), '76 would be 51 years ahead so it is 1976.
            let y2074 = HTTPDate.parse("Monday, 01-Jan-74 00:00:00 GMT", now: Self.now)
            let y1976 = HTTPDate.parse("Thursday, 01-Jan-76 00:00:00 GMT", now: Self.now)
            #expect(y2074 == Date(timeIntervalSince1970: 3_281_990_400))
            #expect(y1976 == Date(timeIntervalSince1970: 189_302_400))
        }

        @Test func responsesExposeTheirRetryAfter() {
            let response = HTTPResponse(status: 429, headers: [("retry-after", "2")])
            #expect(response.retryAfter(now: Self.now) == .seconds(2))
            #expect(HTTPResponse(status: 429).retryAfter(now: Self.now) == nil)
        }
    }

    @Suite struct RetryDecisions {
        static let settings = DeliverySettings(maxAttempts: 5, maxAge: .seconds(600))

        static func decide(_ outcome: DeliveryOutcome, attempts: Int = 1, age: Duration = .seconds(1), seed: UInt64 = 3) -> RetryDecision {
            var generator = SeededGenerator(seed: seed)
            return RetryDecision.decide(outcome: outcome, attempts: attempts, age: age, settings: settings, using: &generator)
        }

        @Test func deliveredIsDoneAndPermanentGivesUp() {
            #expect(Self.decide(.delivered(providerID: "wamid.1")) == .done)
            let invalid = ProviderError(status: 400, code: "131026", message: "undeliverable")
            #expect(Self.decide(.permanent(invalid)) == .giveUp(.permanent(invalid)))
        }

        @Test func retryableRetriesWithinTheBackoffCeiling() {
            for attempts in 1...4 {
                guard case .retry(let delay) = Self.decide(.retryable(someError, retryAfter: nil), attempts: attempts) else {
                    Issue.record("attempt \(attempts) should retry")
                    continue
                }
                #expect(delay >= .zero && delay <= Backoff().ceiling(forRetry: attempts))
            }
        }

        @Test func theLastAttemptGivesUp() {
            #expect(Self.decide(.retryable(someError, retryAfter: nil), attempts: 5) == .giveUp(.attemptsExhausted(attempts: 5, last: someError)))
            #expect(Self.decide(.retryable(someError, retryAfter: nil), attempts: 9) == .giveUp(.attemptsExhausted(attempts: 9, last: someError)))
        }

        @Test func maxAgeGivesUpAndCapsTheWait() {
            #expect(Self.decide(.retryable(someError, retryAfter: nil), age: .seconds(600)) == .giveUp(.maxAgeReached(age: .seconds(600), last: someError)))
            // The provider asks for longer than the budget has left: give up now, fail over sooner.
            #expect(Self.decide(.retryable(someError, retryAfter: .seconds(700)), age: .zero) == .giveUp(.maxAgeReached(age: .zero, last: someError)))
            for seed in 0..<200 as Range<UInt64> {
                let decision = Self.decide(.retryable(someError, retryAfter: nil), attempts: 4, age: .milliseconds(599_900), seed: seed)
                guard case .retry(let delay) = decision else {
                    Issue.record("expected a retry, got \(decision)")
                    continue
                }
                #expect(delay <= .milliseconds(100))
            }
        }

        @Test func retryAfterIsHonoured() {
            #expect(Self.decide(.retryable(someError, retryAfter: .seconds(45))) == .retry(after: .seconds(45)))
            #expect(Self.decide(.retryable(someError, retryAfter: .seconds(2)), attempts: 4) != .retry(after: .zero))
            if case .retry(let delay) = Self.decide(.retryable(someError, retryAfter: .seconds(2)), attempts: 4) {
                #expect(delay >= .seconds(2) && delay <= .seconds(4))
            } else {
                Issue.record("should retry")
            }
        }

        @Test func giveUpReasonsBecomeChannelResults() {
            #expect(ChannelResult(.permanent(someError)) == .permanent(someError))
            #expect(ChannelResult(.attemptsExhausted(attempts: 5, last: someError)) == .retriesExhausted(someError))
            #expect(ChannelResult(.maxAgeReached(age: .seconds(600), last: someError)) == .retriesExhausted(someError))
            #expect(GiveUpReason.maxAgeReached(age: .seconds(600), last: someError).description
                == "gave up at age 600s (max age reached): HTTP 503, unavailable")
        }
    }
}

@Suite struct TokenBucketTests {
    @Test func eightyPerSecondLetsEightyGoAtOnceThenSpacesByTwelveAndAHalfMilliseconds() throws {
        var bucket = try #require(TokenBucket(rate: 80))
        #expect(bucket.burst == 80)
        for _ in 0..<80 { #expect(bucket.take(at: .zero) == .zero) }
        #expect(bucket.take(at: .zero) == .microseconds(12_500))
        #expect(bucket.take(at: .zero) == .milliseconds(25))
    }

    @Test func itRefillsAtTheRateUpToTheBurst() throws {
        var bucket = try #require(TokenBucket(rate: 80, burst: 80))
        for _ in 0..<80 { _ = bucket.take(at: .zero) }
        // Half a second later, 40 tokens are back.
        for _ in 0..<40 { #expect(bucket.take(at: .milliseconds(500)) == .zero) }
        #expect(bucket.take(at: .milliseconds(500)) == .microseconds(12_500))
        // After a long quiet spell the bucket holds a burst, not more.
        for _ in 0..<80 { #expect(bucket.take(at: .seconds(100)) == .zero) }
        #expect(bucket.take(at: .seconds(100)) == .microseconds(12_500))
        #expect(bucket.wait(at: .seconds(100)) == .milliseconds(25))
        #expect(bucket.wait(at: .seconds(100)) == .milliseconds(25), "wait(at:) does not take")
    }

    @Test func tenThousandTakesDoNotDriftEvenWhenTheIntervalIsNotWholeNanoseconds() throws {
        for (rate, expectedLast) in [(3.0, Duration.seconds(3333)), (7.0, .nanoseconds(1_428_428_571_429)), (80.0, .microseconds(124_987_500))] {
            var bucket = try #require(TokenBucket(rate: rate, burst: 1))
            var now = Duration.zero
            for _ in 0..<10_000 {
                let wait = bucket.take(at: now)
                #expect(wait >= .zero)
                now += wait
            }
            // The 10,000th request goes at 9,999 / rate seconds, to the nanosecond.
            #expect(now == expectedLast, "rate \(rate)")
        }
    }

    @Test func waitsAreNeverNegativeAndTheRateHoldsForRandomArrivals() throws {
        var generator = SeededGenerator(seed: 11)
        var bucket = try #require(TokenBucket(rate: 50, burst: 1))
        var now = Duration.zero
        var lastGo: Duration?
        for _ in 0..<10_000 {
            now += .microseconds(Int64.random(in: 0...40_000, using: &generator))
            let wait = bucket.take(at: now)
            #expect(wait >= .zero)
            let go = now + wait
            if let lastGo { #expect(go - lastGo >= .milliseconds(20) - .nanoseconds(1)) }
            lastGo = go
        }
    }

    @Test func aClockThatStepsBackNeverYieldsANegativeWait() throws {
        var bucket = try #require(TokenBucket(rate: 10, burst: 2))
        #expect(bucket.take(at: .seconds(5)) == .zero)
        #expect(bucket.take(at: .seconds(1)) >= .zero)
        #expect(bucket.take(at: .zero) >= .zero)
    }

    @Test func invalidRatesAndBurstsAreRejected() {
        #expect(TokenBucket(rate: 0) == nil)
        #expect(TokenBucket(rate: -1) == nil)
        #expect(TokenBucket(rate: .nan) == nil)
        #expect(TokenBucket(rate: .infinity) == nil)
        #expect(TokenBucket(rate: 10, burst: 0) == nil)
        #expect(TokenBucket(rate: 0.5)?.burst == 1)
        #expect(TokenBucket(rate: 2.5)?.burst == 3)
    }
}

@Suite struct CircuitBreakerTests {
    @Test func opensAfterFiveFailuresInARowAndProbesAfterTheCooldown() {
        var breaker = CircuitBreaker()
        for second in 0..<4 {
            #expect(breaker.allow(at: .seconds(second)) == true)
            breaker.record(success: false, at: .seconds(second))
        }
        #expect(breaker.state == .closed)
        breaker.record(success: false, at: .seconds(10))
        #expect(breaker.state == .open)
        #expect(breaker.probeAt == .seconds(40))
        #expect(breaker.allow(at: .seconds(39)) == false)
        #expect(breaker.allow(at: .seconds(40)) == true, "the probe")
        #expect(breaker.state == .halfOpen)
        #expect(breaker.allow(at: .seconds(40)) == false, "only one probe")
        #expect(breaker.allow(at: .seconds(400)) == false, "still only one probe")
        breaker.record(success: true, at: .seconds(41))
        #expect(breaker.state == .closed)
        #expect(breaker.allow(at: .seconds(41)) == true)
    }

    @Test func aSuccessResetsTheCount() {
        var breaker = CircuitBreaker()
        for _ in 0..<4 { breaker.record(success: false, at: .zero) }
        breaker.record(success: true, at: .zero)
        for _ in 0..<4 { breaker.record(success: false, at: .zero) }
        #expect(breaker.state == .closed)
        #expect(breaker.consecutiveFailures == 4)
    }

    @Test func failingProbesDoubleTheCooldownUpToFiveMinutes() {
        var breaker = CircuitBreaker()
        var now = Duration.zero
        for _ in 0..<5 { breaker.record(success: false, at: now) }
        var cooldowns: [Duration] = []
        for _ in 0..<7 {
            guard let probeAt = breaker.probeAt else {
                Issue.record("should be open")
                return
            }
            cooldowns.append(probeAt - now)
            #expect(breaker.allow(at: probeAt - .milliseconds(1)) == false)
            now = probeAt
            #expect(breaker.allow(at: now) == true)
            breaker.record(success: false, at: now)
            #expect(breaker.state == .open)
        }
        #expect(cooldowns == [30, 60, 120, 240, 300, 300, 300].map { Duration.seconds($0) })
        // Recovery resets the cooldown: the next opening waits 30 s again.
        now = breaker.probeAt ?? now
        #expect(breaker.allow(at: now) == true)
        breaker.record(success: true, at: now)
        for _ in 0..<5 { breaker.record(success: false, at: now) }
        #expect(breaker.probeAt == now + .seconds(30))
    }

    @Test func lateAnswersWhileOpenAreIgnored() {
        var breaker = CircuitBreaker(failureThreshold: 2, cooldown: .seconds(10))
        breaker.record(success: false, at: .zero)
        breaker.record(success: false, at: .zero)
        breaker.record(success: true, at: .seconds(1))
        breaker.record(success: false, at: .seconds(2))
        #expect(breaker.state == .open)
        #expect(breaker.probeAt == .seconds(10))
    }

    @Test func permanentOutcomesAreHealthyAnswersRetryableOnesAreFailures() {
        var breaker = CircuitBreaker(failureThreshold: 1)
        breaker.record(.permanent(ProviderError(status: 400, code: "131026", message: "undeliverable")), at: .zero)
        #expect(breaker.state == .closed)
        breaker.record(.retryable(someError, retryAfter: nil), at: .zero)
        #expect(breaker.state == .open)
        #expect(breaker.allow(at: .seconds(30)) == true)
        breaker.record(.delivered(providerID: nil), at: .seconds(30))
        #expect(breaker.state == .closed)
    }
}

@Suite struct FailoverTests {
    let failover = Failover(channels: ["whatsapp", "sms", "email"])
    let invalidNumber = ProviderError(status: 400, code: "131026", message: "Message undeliverable")

    @Test func permanentErrorsExhaustedRetriesAndOpenBreakersMoveOn() {
        #expect(failover.first == .next("whatsapp"))
        #expect(failover.next(after: "whatsapp", result: .permanent(invalidNumber)) == .next("sms"))
        #expect(failover.next(after: "whatsapp", result: .retriesExhausted(someError)) == .next("sms"))
        #expect(failover.next(after: "whatsapp", result: .circuitOpen) == .next("sms"))
        #expect(failover.next(after: "sms", result: .circuitOpen) == .next("email"))
        #expect(failover.next(after: "email", result: .permanent(invalidNumber)) == .exhausted)
    }

    @Test func deliveredStopsAndMessageProblemsDoNotFailOver() {
        #expect(failover.next(after: "whatsapp", result: .delivered) == .done)
        #expect(failover.next(after: "whatsapp", result: .messageRejected("param 'amount' is missing")) == .exhausted)
        #expect(failover.next(after: "fax", result: .circuitOpen) == .exhausted)
        #expect(Failover(channels: []).first == .exhausted)
    }

    @Test func aFraudPromptWalksTheChannelsUntilOneDelivers() {
        var tried: [String] = []
        let results: [String: ChannelResult] = [
            "whatsapp": ChannelResult(.attemptsExhausted(attempts: 5, last: someError)),
            "sms": .circuitOpen,
            "email": .delivered,
        ]
        var decision = failover.first
        while case .next(let channel) = decision {
            tried.append(channel)
            decision = failover.next(after: channel, result: results[channel] ?? .circuitOpen)
        }
        #expect(tried == ["whatsapp", "sms", "email"])
        #expect(decision == .done)
    }

    @Test func aChannelListedTwiceIsTriedOnce() {
        let twice = Failover(channels: ["whatsapp", "sms", "whatsapp"])
        #expect(twice.channels == ["whatsapp", "sms"])
        #expect(twice.next(after: "sms", result: .circuitOpen) == .exhausted)
    }
}
