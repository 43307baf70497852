// Delivery throughput through libcurl to a loopback HTTP/1.1 sink: requests/s through
// `CurlTransport.send` and deliveries/s through `Dispatcher.deliver` (webhook kind), each with a fixed
// number of requests in flight. Not a package-benchmark target: it needs HeraldDelivery, which the main
// package does not export as a product, so `scripts/bench-delivery` builds it in a package of its own
// under Benchmarks/.build/ (with the main package's sources) and runs it against nginx; see README.md.
//
// Environment:
//   HERALD_SINK_URL            the sink, e.g. http://127.0.0.1:8089/hook (required)
//   HERALD_BENCH_SECONDS       measured seconds per path (default 10)
//   HERALD_BENCH_CONCURRENCY   requests/deliveries in flight (default 16)
// Prints one line per path: `transport <count> <seconds> <per second> <failures> <CPU µs per request>`
// (this process's user + system CPU, all threads, estimated over the run including its warm-up), and the
// same for `dispatcher`; scripts/bench-delivery turns them into the table.

import Foundation
import HeraldCore
import HeraldDelivery

enum BenchError: Error, CustomStringConvertible {
    case usage(String)
    var description: String {
        switch self { case .usage(let text): text }
    }
}

/// Runs `concurrency` loops of `operation` for `seconds` after `warmup` seconds; returns successes,
/// failures and the measured wall-clock seconds (from the end of the warm-up to the last completion).
func measure(concurrency: Int, warmup: Double, seconds: Double,
             _ operation: @escaping @Sendable (Int) async -> Bool) async -> (ok: Int, failed: Int, seconds: Double) {
    let clock = ContinuousClock()
    let measureFrom = clock.now + .milliseconds(Int(warmup * 1000))
    let stopAt = measureFrom + .milliseconds(Int(seconds * 1000))
    var ok = 0, failed = 0
    var lastEnd = measureFrom
    await withTaskGroup(of: (ok: Int, failed: Int, lastEnd: ContinuousClock.Instant).self) { group in
        for worker in 0..<concurrency {
            group.addTask {
                var ok = 0, failed = 0, sequence = 0
                var lastEnd = measureFrom
                while true {
                    let began = clock.now
                    if began >= stopAt { break }
                    let succeeded = await operation(worker * 100_000_000 + sequence)
                    sequence += 1
                    // Count what started after the warm-up; what was in flight at the deadline finishes
                    // within a round trip and its end moves the measured interval's end.
                    if began >= measureFrom {
                        if succeeded { ok += 1 } else { failed += 1 }
                        lastEnd = clock.now
                    }
                }
                return (ok, failed, lastEnd)
            }
        }
        for await result in group {
            ok += result.ok
            failed += result.failed
            lastEnd = max(lastEnd, result.lastEnd)
        }
    }
    let (s, atto) = (lastEnd - measureFrom).components
    return (ok, failed, Double(s) + Double(atto) / 1e18)
}

/// CPU seconds (user + system) this process has used so far, all threads.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(0, &usage)  // RUSAGE_SELF (an enum on Glibc, an Int32 on Darwin; 0 on both)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

@main
struct DeliveryBenchmark {
    static func main() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let sinkURL = environment["HERALD_SINK_URL"], !sinkURL.isEmpty else {
            throw BenchError.usage("HERALD_SINK_URL is not set (run scripts/bench-delivery, which starts a sink)")
        }
        let seconds = Double(environment["HERALD_BENCH_SECONDS"] ?? "") ?? 10
        let concurrency = Int(environment["HERALD_BENCH_CONCURRENCY"] ?? "") ?? 16
        let warmup = 1.0

        // A webhook endpoint with no rate limit, `concurrency` in flight, no retries (a failure counts).
        let endpoint = Endpoint(name: "sink", kind: .webhook, url: sinkURL,
                                delivery: DeliverySettings(ratePerSecond: nil, concurrency: concurrency, maxAttempts: 1))

        // The planned message comes from the real planner: a one-rule set built in code.
        let template = Template(id: "otp", defaultLocale: "en", translations: [
            .init(locale: "en", source: "", message: try MessageFormat(parsing:
                "Your Herald Bank one-time code is {code}. It expires in 10 minutes. Never share it with anyone, not even bank staff.")),
        ])
        let rule = Rule(
            id: "otp-code", pattern: try EventPattern(json: JSONParser.parse(#"{"type":["bank.otp.requested"]}"#)),
            recipient: Recipient(address: .path(try ValuePath(parsing: "$.data.phone")), locale: .literal("en-IN")),
            channels: ["sink"], templateID: "otp",
            params: [Param(name: "code", source: .value(.path(try ValuePath(parsing: "$.data.code"))))])
        let planner = MessagePlanner(ruleSet: RuleSet(rules: [rule], templates: ["otp": template]), endpoints: [endpoint])
        let event = try JSONParser.parse(#"{"id":"evt-1","type":"bank.otp.requested","data":{"phone":"+919876543210","code":"482913"}}"#)
        let plan = planner.plan(event, now: Date())
        guard let message = plan.messages.first, message.text != nil, message.problems.isEmpty else {
            throw BenchError.usage("the benchmark rule planned no sendable message: \(plan)")
        }

        let transport = CurlTransport()
        let dispatcher = Dispatcher(endpoints: [endpoint], secrets: SecretStore(environment: [:]), transport: transport)

        // (a) The transport alone: the request the dispatcher would build, sent as is.
        let secrets = try EndpointSecrets(resolving: endpoint, with: SecretStore(environment: [:]))
        let request = try WebhookRequestBuilder(endpoint: endpoint, secrets: secrets)
            .request(for: message, text: message.text ?? "", deliveryID: "d-00000000-0000", eventID: "evt-1", now: Date())
        print("request body \(request.body.count) bytes: \(String(decoding: request.body, as: UTF8.self))")
        let settings = TransportSettings(endpoint.delivery)
        var cpu = cpuSeconds()
        let direct = await measure(concurrency: concurrency, warmup: warmup, seconds: seconds) { _ in
            if case .success(let response) = await transport.send(request, settings: settings), response.status == 200 { return true }
            return false
        }
        // CPU per request is over the whole run, warm-up included, so divided by all requests made.
        print(String(format: "transport %d %.3f %.0f %d %.1f", direct.ok, direct.seconds, Double(direct.ok) / direct.seconds, direct.failed,
                     (cpuSeconds() - cpu) / (Double(direct.ok + direct.failed) * (seconds + warmup) / seconds) * 1e6))
        cpu = cpuSeconds()

        // (b) The whole delivery: gate (rate limit, concurrency, breaker), request building, send,
        // classification, retry decision, report. The message is planned once, above.
        let dispatched = await measure(concurrency: concurrency, warmup: warmup, seconds: seconds) { sequence in
            let report = await dispatcher.deliver(message, deliveryID: "d-\(sequence)", eventID: "evt-1")
            if case .delivered = report.result { return true }
            return false
        }
        print(String(format: "dispatcher %d %.3f %.0f %d %.1f", dispatched.ok, dispatched.seconds, Double(dispatched.ok) / dispatched.seconds, dispatched.failed,
                     (cpuSeconds() - cpu) / (Double(dispatched.ok + dispatched.failed) * (seconds + warmup) / seconds) * 1e6))
        await transport.shutdown(gracePeriod: .seconds(1))
    }
}
