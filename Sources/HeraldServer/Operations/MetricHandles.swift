import Metrics
import Synchronization

/// Counters and timers of the per-event path, made once per label set and kept: each
/// `Counter(label:dimensions:)` asks the metrics factory again, which takes its lock and looks the
/// series up by name and labels. The label sets are bounded (rule ids, endpoint names, outcomes).
final class MetricHandles: Sendable {
    private struct Key: Hashable {
        var label: String
        var dimensions: [String]
    }

    private let counters = Mutex<[Key: Counter]>([:])
    private let timers = Mutex<[Key: Metrics.Timer]>([:])

    func counter(_ label: String, _ dimensions: [(String, String)] = []) -> Counter {
        let key = Key(label: label, dimensions: dimensions.flatMap { [$0.0, $0.1] })
        if let counter = counters.withLock({ $0[key] }) { return counter }
        let counter = Counter(label: label, dimensions: dimensions)
        counters.withLock { $0[key] = counter }
        return counter
    }

    /// A timer that reports in seconds.
    func timer(_ label: String, _ dimensions: [(String, String)] = []) -> Metrics.Timer {
        let key = Key(label: label, dimensions: dimensions.flatMap { [$0.0, $0.1] })
        if let timer = timers.withLock({ $0[key] }) { return timer }
        let timer = Metrics.Timer(label: label, dimensions: dimensions, preferredDisplayUnit: .seconds)
        timers.withLock { $0[key] = timer }
        return timer
    }
}
