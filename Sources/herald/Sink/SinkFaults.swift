import HeraldCore
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

