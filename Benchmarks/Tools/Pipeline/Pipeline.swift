// One event at a time through every stage `herald serve` puts it through, in process, with the real
// public APIs, so each stage's CPU can be timed and (under callgrind) counted on its own:
//
//   1. parse   IngestParser.parse(IngestRequest(...))                     (HeraldServer)
//   2. plan    MessagePlanner.plan + the outbox rows, as EventIntake.plan builds them
//   3. store   Outbox.accept (SQLite file in a temp folder, default OutboxConfiguration; group commit
//              of one, since events go one at a time)
//   4. claim   Outbox.claim(limit: 1)                                      (a worker's lease)
//   5. decode  the claimed delivery's stored message → PlannedMessage       (DeliveryWorkers.process)
//   6. send    Dispatcher.step → CurlTransport → the live sink              (webhook endpoint)
//   7. record  Outbox.record(AttemptRecord, next: .delivered)               (DeliveryWorkers.record)
//
// The workload is scripts/loadtest's: HERALD_PIPELINE_RULES rules (100), each matching one route of
// `load.payment`, a template with a money parameter, one webhook endpoint `sink`; event N is
// {"id":"load-1-N","type":"load.payment","data":{"route":"rK","phone":"+919876543210","amount":N.50,"merchant":"Croma"}}
// with K = N mod rules. Each event matches exactly one rule and plans one delivery.
//
// Unlike `herald serve`, nothing runs concurrently: a transaction holds one event, no HTTP server,
// no metrics or logging. The server's accept usually leases the new delivery in its own transaction
// and hands the planned message to a worker (Outbox.accept(_:leasing:)), skipping `claim` and
// `decode`; a delivery found by the poll goes through them as here.
//
// Environment:
//   HERALD_SINK_URL          the sink, e.g. http://127.0.0.1:8089/hook (required)
//   HERALD_PIPELINE_EVENTS   events (default 2000)
//   HERALD_PIPELINE_RULES    rules (default 100)
//   HERALD_PIPELINE_CALLGRIND  under callgrind only: `stages` dumps callgrind's costs after every stage of
//                            every measured event (CALLGRIND_DUMP_STATS_AT "stage-NAME"; 7 dump files
//                            an event), so summing a stage's dumps gives all it cost on every thread (the
//                            group committer's task, libcurl's thread, resumed async continuations),
//                            which a function's inclusive cost misses; otherwise the costs are zeroed
//                            after the warm-up (dump "warmup") and dumped once after the measured events ("measured").
//   HERALD_PIPELINE_WARMUP   events through every stage before the measured ones (default 50)
//
// Prints `stage <name> <events> <total seconds> <µs per event>` per stage, then `total …`.

import CCallgrind
import Foundation
import HeraldConfig
import HeraldCore
import HeraldDelivery
import HeraldServer
import HeraldStore

enum PipelineError: Error, CustomStringConvertible {
    case usage(String)
    case failed(String)
    var description: String {
        switch self { case .usage(let text), .failed(let text): text }
    }
}

/// What stage 2 produces for one event: the outbox rows and each delivery's planned message.
struct Planned {
    var acceptance: Acceptance
    var messages: [String: PlannedMessage]
}

// MARK: - The stages (each a separate function, never inlined, so a profile names it)

/// 1. The HTTP body of `POST /v1/events` → validated events.
@inline(never)
func stageParse(_ body: [UInt8]) throws -> IngestBatch {
    switch IngestParser.parse(IngestRequest(contentType: "application/json", body: body)) {
    case .success(let batch):
        guard batch.invalid.isEmpty, batch.events.count == 1 else { throw PipelineError.failed("event rejected: \(batch.invalid)") }
        return batch
    case .failure(let problem):
        throw PipelineError.failed("ingest refused the event: \(problem)")
    }
}

/// 2. Match and render, then the rows the outbox stores: `EventIntake.plan`, as `herald serve` runs it.
@inline(never)
func stagePlan(_ batch: IngestBatch, planner: MessagePlanner, intake: EventIntake, now: Date) -> Planned {
    let planned = intake.plan(batch, planner: planner, idempotencyKey: nil, now: now)
    return Planned(acceptance: planned.acceptances[0], messages: planned.messages)
}

/// 3. The event and its deliveries committed (the 202 is answered after this).
@inline(never)
func stageStore(_ planned: Planned, outbox: Outbox) async throws {
    let results = try await outbox.accept([planned.acceptance])
    guard case .accepted? = results.first else { throw PipelineError.failed("not accepted: \(results)") }
}

/// 4. A worker leases the next due delivery.
@inline(never)
func stageClaim(outbox: Outbox, owner: String) async throws -> ClaimedDelivery {
    let claimed = try await outbox.claim(limit: 1, now: Date(), lease: .seconds(60), owner: owner)
    guard let delivery = claimed.first else { throw PipelineError.failed("nothing to claim") }
    return delivery
}

/// 5. The claimed delivery's stored message read back, as DeliveryWorkers.process does for a
/// delivery it did not get from the intake.
@inline(never)
func stageDecode(_ delivery: ClaimedDelivery) throws -> PlannedMessage {
    let stored = try JSONParser.parse(delivery.message)
    return try PlannedMessage(stored: stored)
}

/// 6. One attempt on the delivery's channel: gate, request building, libcurl to the sink, the
/// response classified (DeliveryWorkers.process → Dispatcher.step).
@inline(never)
func stageSend(_ delivery: ClaimedDelivery, message: PlannedMessage, dispatcher: Dispatcher, started: Date) async throws -> DeliveryStep {
    let age = Duration.milliseconds(Int64(max(0, started.timeIntervalSince(delivery.createdAt)) * 1000))
    let step = await dispatcher.step(message, channelIndex: delivery.channelIndex, attemptsOnChannel: delivery.attemptsOnChannel,
                                     age: age, deliveryID: delivery.id, eventID: delivery.eventID,
                                     maxRateWait: delivery.priority > 0 ? .milliseconds(50) : nil)
    guard case .delivered = step.next else { throw PipelineError.failed("not delivered: \(step)") }
    return step
}

/// 7. The attempt and its result stored, the lease released (DeliveryWorkers.record).
@inline(never)
func stageRecord(_ delivery: ClaimedDelivery, step: DeliveryStep, outbox: Outbox, owner: String, started: Date) async throws {
    guard case .delivered(let channel, let providerID) = step.next else { throw PipelineError.failed("not delivered") }
    let attempt = AttemptRecord(
        deliveryID: delivery.id, channel: channel, number: delivery.attemptsOnChannel + 1, startedAt: started,
        duration: .milliseconds(Int64(Date().timeIntervalSince(started) * 1000)), outcome: "delivered", providerID: providerID,
        errorCode: nil, errorMessage: nil)
    guard try await outbox.record(attempt, next: .delivered(channel: channel, providerID: providerID), owner: owner) else {
        throw PipelineError.failed("lease lost for \(delivery.id)")
    }
}

// MARK: - Driver

let stageNames = ["parse", "plan", "store", "claim", "decode", "send", "record"]

/// Wall-clock time per stage.
struct StageTimes {
    var seconds = [Double](repeating: 0, count: stageNames.count)
    static func since(_ start: ContinuousClock.Instant) -> Double {
        let (s, atto) = (ContinuousClock.now - start).components
        return Double(s) + Double(atto) / 1e18
    }
}

func eventBody(_ n: Int, rules: Int) -> [UInt8] {
    Array(#"{"id":"load-1-\#(n)","type":"load.payment","data":{"route":"r\#(n % rules)","phone":"+919876543210","amount":\#(n).50,"merchant":"Croma"}}"#.utf8)
}

struct Pipeline {
    let planner: MessagePlanner
    let outbox: Outbox
    let dispatcher: Dispatcher
    let owner: String
    let rules: Int

    /// Events `range` through every stage, each event through all of them before the next.
    func runByEvent(_ range: Range<Int>, into times: inout StageTimes, afterStage: @Sendable (Int) -> Void = { _ in }) async throws {
        for n in range {
            var t = ContinuousClock.now
            let batch = try stageParse(eventBody(n, rules: rules))
            times.seconds[0] += StageTimes.since(t); afterStage(0); t = .now
            let planned = stagePlan(batch, planner: planner, intake: EventIntake(outbox: outbox), now: Date())
            times.seconds[1] += StageTimes.since(t); afterStage(1); t = .now
            try await stageStore(planned, outbox: outbox)
            times.seconds[2] += StageTimes.since(t); afterStage(2); t = .now
            let delivery = try await stageClaim(outbox: outbox, owner: owner)
            times.seconds[3] += StageTimes.since(t); afterStage(3); t = .now
            let message = try stageDecode(delivery)
            times.seconds[4] += StageTimes.since(t); afterStage(4); t = .now
            let started = Date()
            let step = try await stageSend(delivery, message: message, dispatcher: dispatcher, started: started)
            times.seconds[5] += StageTimes.since(t); afterStage(5); t = .now
            try await stageRecord(delivery, step: step, outbox: outbox, owner: owner, started: started)
            times.seconds[6] += StageTimes.since(t); afterStage(6)
        }
    }
}

/// The result of `PipelineTool.run()`, handed from its task to the main thread.
final class Finished: @unchecked Sendable {
    var error: (any Error)?
}

@main
struct PipelineTool {
    /// Synchronous on purpose: an `async` main ends the main thread with dispatch_main()
    /// (pthread_exit, then sigsuspend in a TSD destructor), and valgrind 3.19 then crashes with an
    /// internal SIGSEGV as soon as another thread starts ("Valgrind received a signal 11",
    /// SEGV_ACCERR), which is what also stops `herald serve` under valgrind. Blocking the main
    /// thread on a semaphore while a task runs the pipeline avoids it.
    static func main() throws {
        let done = DispatchSemaphore(value: 0)
        let finished = Finished()
        Task.detached {
            do { try await run() } catch { finished.error = error }
            done.signal()
        }
        done.wait()
        if let error = finished.error {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let sinkURL = environment["HERALD_SINK_URL"], !sinkURL.isEmpty else {
            throw PipelineError.usage("HERALD_SINK_URL is not set (run scripts/profile-pipeline, which starts a sink)")
        }
        let events = Int(environment["HERALD_PIPELINE_EVENTS"] ?? "") ?? 2000
        let rules = Int(environment["HERALD_PIPELINE_RULES"] ?? "") ?? 100
        let warmup = Int(environment["HERALD_PIPELINE_WARMUP"] ?? "") ?? 50
        let underCallgrind = herald_running_on_valgrind() != 0
        let dumpEachStage = underCallgrind && environment["HERALD_PIPELINE_CALLGRIND"] == "stages"

        // herald.yaml and the rules, as scripts/loadtest writes them, loaded as GatewaySnapshot.load does.
        let configText = """
            rules: rules
            store: sqlite:data/herald.db
            api_keys: [env:HERALD_API_KEY]
            ingest: {max_pending: 1000000}
            delivery: {workers: 64}
            endpoints:
              sink: {kind: webhook, url: "\(sinkURL)", concurrency: 64, retry: {attempts: 3}}
            """
        let decoder = GatewayConfigDecoder(file: "herald.yaml", bytes: Array(configText.utf8))
        guard let config = decoder.config else {
            throw PipelineError.failed("herald.yaml: \(decoder.log.diagnostics.map { "\($0)" }.joined(separator: "; "))")
        }
        var rulesText = "templates:\n  payment: {default_locale: en, text: {en: \"Payment of {amount} at {merchant}. Was this you?\"}}\nrules:\n"
        for i in 0..<rules {
            rulesText += "  - {id: route-\(i), match: {type: [load.payment], data: {route: [r\(i)]}}, recipient: {address: $.data.phone},\n"
            rulesText += "     channels: [sink], template: payment, params: {amount: {money: $.data.amount, currency: INR}, merchant: $.data.merchant}}\n"
        }
        let catalog = RuleCatalog(sources: [.init(name: "rules/load.yaml", bytes: Array(rulesText.utf8))],
                                  endpoints: Set(config.endpoints.map(\.name)),
                                  endpointKinds: Dictionary(config.endpoints.map { ($0.name, $0.kind) }, uniquingKeysWith: { first, _ in first }),
                                  optOutKeywords: config.protection.optOutKeywords)
        guard let ruleSet = catalog.ruleSet else {
            throw PipelineError.failed("rules: \(catalog.diagnostics.map { "\($0)" }.joined(separator: "; "))")
        }
        let planner = MessagePlanner(ruleSet: ruleSet, endpoints: config.endpoints)
        let transport = CurlTransport()
        let dispatcher = Dispatcher(endpoints: config.endpoints, secrets: SecretStore(environment: [:]), transport: transport)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outbox = try Outbox(path: folder.appendingPathComponent("herald.db").path)
        let pipeline = Pipeline(planner: planner, outbox: outbox, dispatcher: dispatcher,
                                owner: "herald-pipeline-\(ProcessInfo.processInfo.processIdentifier)", rules: rules)

        // Warm-up (first connection, SQLite's statement cache, lazily built tables); not measured.
        var ignored = StageTimes()
        try await pipeline.runByEvent(1_000_000_000..<(1_000_000_000 + warmup), into: &ignored)

        var times = StageTimes()
        let clock = ContinuousClock.now
        // A dump, not CALLGRIND_ZERO_STATS: zeroing left the other threads' set-up and warm-up costs in
        // the first measured dump; a dump writes and resets every thread's.
        herald_callgrind_dump("warmup")
        if dumpEachStage {
            try await pipeline.runByEvent(1..<(events + 1), into: &times) { stage in herald_callgrind_dump("stage-\(stageNames[stage])") }
        } else {
            try await pipeline.runByEvent(1..<(events + 1), into: &times)
            herald_callgrind_dump("measured")
        }
        let total = StageTimes.since(clock)

        print("callgrind \(underCallgrind ? (dumpEachStage ? "stages" : "measured") : "no") events \(events) rules \(rules) warmup \(warmup)")
        for (name, seconds) in zip(stageNames, times.seconds) {
            print("stage \(name) \(events) " + String(format: "%.6f %.2f", seconds, seconds / Double(events) * 1e6))
        }
        print(String(format: "total %d %.6f %.2f", events, total, total / Double(events) * 1e6))
        await transport.shutdown(gracePeriod: .seconds(1))
        try outbox.close()
    }
}
