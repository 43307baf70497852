/// What to do after one attempt on one endpoint: stop, try again later, or give up on this channel.
///
/// | Outcome of the attempt | Budget | Decision |
/// |---|---|---|
/// | `delivered` | — | ``done`` |
/// | `permanent(error)` | — | ``giveUp(_:)`` with ``GiveUpReason/permanent(_:)`` |
/// | `retryable` | `attempts ≥ maxAttempts` | ``giveUp(_:)`` with ``GiveUpReason/attemptsExhausted(attempts:last:)`` |
/// | `retryable` | `age ≥ maxAge`, or the provider's `Retry-After` ends after `maxAge` | ``giveUp(_:)`` with ``GiveUpReason/maxAgeReached(age:last:)`` |
/// | `retryable` | otherwise | ``retry(after:)``: ``Backoff`` for retry number `attempts`, at least `Retry-After`, at most the time left before `maxAge` |
///
/// Giving up is not the end of the message: the caller asks ``Failover`` for the rule's next channel.
/// A `Retry-After` that reaches past the budget gives up at once rather than waiting only to give up
/// then: the customer hears from the next channel sooner.
public enum RetryDecision: Sendable, Hashable {
    /// The provider accepted the message: nothing more to do.
    case done
    /// Attempt again after this long.
    case retry(after: Duration)
    /// Stop trying this endpoint; fail over.
    case giveUp(GiveUpReason)

    /// Decides after an attempt. `attempts` counts the attempts made so far on this endpoint, the one
    /// that produced `outcome` included (so the first failure is `attempts: 1`); `age` is the time since
    /// the delivery was created.
    public static func decide<Generator: RandomNumberGenerator>(
        outcome: DeliveryOutcome, attempts: Int, age: Duration, settings: DeliverySettings,
        backoff: Backoff = .default, using generator: inout Generator
    ) -> RetryDecision {
        switch outcome {
        case .delivered:
            return .done
        case .permanent(let error):
            return .giveUp(.permanent(error))
        case .retryable(let error, let retryAfter):
            guard attempts < settings.maxAttempts else {
                return .giveUp(.attemptsExhausted(attempts: attempts, last: error))
            }
            let remaining = settings.maxAge - age
            guard remaining > .zero else { return .giveUp(.maxAgeReached(age: age, last: error)) }
            if let retryAfter, retryAfter > remaining {
                return .giveUp(.maxAgeReached(age: age, last: error))
            }
            return .retry(after: backoff.delay(forRetry: attempts, retryAfter: retryAfter, limit: remaining, using: &generator))
        }
    }

    /// ``decide(outcome:attempts:age:settings:backoff:using:)`` with the system's random generator.
    public static func decide(
        outcome: DeliveryOutcome, attempts: Int, age: Duration, settings: DeliverySettings, backoff: Backoff = .default
    ) -> RetryDecision {
        var generator = SystemRandomNumberGenerator()
        return decide(outcome: outcome, attempts: attempts, age: age, settings: settings, backoff: backoff, using: &generator)
    }
}

/// Why Herald stopped trying one endpoint for one delivery.
public enum GiveUpReason: Sendable, Hashable, CustomStringConvertible {
    /// The provider refused the message for good (an invalid number, a rejected template).
    case permanent(ProviderError)
    /// Every attempt of the endpoint's `retry.attempts` failed; `last` is the final failure.
    case attemptsExhausted(attempts: Int, last: ProviderError)
    /// The delivery reached the endpoint's `retry.max_age` (or the provider asked to wait past it).
    case maxAgeReached(age: Duration, last: ProviderError)

    /// The provider's (or transport's) last word.
    public var error: ProviderError {
        switch self {
        case .permanent(let error), .attemptsExhausted(_, let error), .maxAgeReached(_, let error): error
        }
    }

    public var description: String {
        switch self {
        case .permanent(let error): "permanent failure: \(error)"
        case .attemptsExhausted(let attempts, let error): "gave up after \(attempts) attempts: \(error)"
        case .maxAgeReached(let age, let error): "gave up at age \(Self.describe(age)) (max age reached): \(error)"
        }
    }

    /// `600s`, `12500ms`: whole seconds when exact, else milliseconds.
    static func describe(_ duration: Duration) -> String {
        let milliseconds = duration.saturatedNanoseconds / 1_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }
}
