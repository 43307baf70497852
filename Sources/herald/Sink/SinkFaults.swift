/// Which requests `herald sink` fails on purpose, and how.
///
/// Pure: the decision for the n-th request depends only on the seed, so a test with `--seed`
/// sees the same failures on every run.
struct SinkFaults: Sendable {
    /// The fraction of requests to fail, 0...1.
    var rate: Double
    /// The HTTP status of a failed request.
    var status: Int
    /// `Retry-After` seconds sent with a failure, if any.
    var retryAfter: Int?

    /// No faults: every request is answered like the provider would on a good day.
    static let none = SinkFaults(rate: 0, status: 500, retryAfter: nil)

    /// The injected failure for a request, or nil to answer normally.
    /// `draw` is a uniform number in 0..<1 taken for this request.
    func failure(draw: Double) -> Int? {
        rate > 0 && draw < rate ? status : nil
    }
}

/// SplitMix64: small, fast and seedable, which is all fault injection needs.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform number in 0..<1.
    mutating func draw() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
