extension Duration {
    /// Whole nanoseconds, rounded toward zero and saturated to `Int64`'s range (±292 years), so
    /// arithmetic on delays can never trap however large a provider's `Retry-After` is.
    var saturatedNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let fromSeconds = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !fromSeconds.overflow else { return seconds < 0 ? .min : .max }
        let total = fromSeconds.partialValue.addingReportingOverflow(attoseconds / 1_000_000_000)
        guard !total.overflow else { return seconds < 0 ? .min : .max }
        return total.partialValue
    }

    /// A duration of `nanoseconds` given as a `Double`, rounded to the nearest nanosecond and
    /// saturated to `Int64`'s range; NaN reads as zero.
    static func saturatingNanoseconds(_ nanoseconds: Double) -> Duration {
        guard !nanoseconds.isNaN else { return .zero }
        // 2^63 is exactly representable; anything at or past it saturates.
        if nanoseconds >= 9_223_372_036_854_775_807.0 { return .nanoseconds(Int64.max) }
        if nanoseconds <= -9_223_372_036_854_775_808.0 { return .nanoseconds(Int64.min) }
        return .nanoseconds(Int64(nanoseconds.rounded()))
    }
}
