import HeraldCore
import Synchronization

/// Each endpoint's gate (circuit breaker, rate bucket, concurrency), kept for as long as the
/// process serves: the gateway owns one and hands it to every ``Dispatcher`` it builds, so a
/// reload neither resets a breaker nor runs a second set of limits beside the first.
///
/// | A reload… | the endpoint's gate |
/// |---|---|
/// | keeps the endpoint, same `rate`/`concurrency` | unchanged |
/// | changes `rate` or `concurrency` | updated in place: breaker, attempts in flight and booked rate slots stay |
/// | removes the endpoint | dropped (a dispatcher still finishing with it keeps its copy) |
/// | adds an endpoint | a new gate |
public final class EndpointRegistry: Sendable {
    private let state = Mutex<(gates: [String: EndpointGate], share: Double)>(([:], 1))

    public init() {}

    /// The gates for `endpoints`, by name, created or updated to their settings; gates of
    /// endpoints not listed are dropped. `now` is the dispatcher clock's reading.
    func gates(for endpoints: [Endpoint], at now: Duration) -> [String: EndpointGate] {
        state.withLock { state in
            var gates: [String: EndpointGate] = [:]
            for endpoint in endpoints {
                if let gate = state.gates[endpoint.name] ?? gates[endpoint.name] {
                    gate.configure(endpoint.delivery, at: now)
                    gates[endpoint.name] = gate
                } else {
                    gates[endpoint.name] = EndpointGate(settings: endpoint.delivery, share: state.share, now: now)
                }
            }
            state.gates = gates
            return gates
        }
    }

    /// This node's share of every endpoint's limits (1 by default): a cluster of N nodes sets
    /// 1/N so that together they keep each endpoint's `rate` and `concurrency`.
    public func setShare(_ fraction: Double, at now: Duration = SystemDeliveryClock().now()) {
        state.withLock { state in
            guard fraction.isFinite, fraction > 0 else { return }
            state.share = min(fraction, 1)
            for gate in state.gates.values { gate.setShare(state.share, at: now) }
        }
    }

    /// The names of the endpoints it holds gates for.
    public var endpointNames: Set<String> { state.withLock { Set($0.gates.keys) } }

    func gate(named name: String) -> EndpointGate? { state.withLock { $0.gates[name] } }
}
