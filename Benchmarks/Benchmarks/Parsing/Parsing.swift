// Throughput of parsing an event as `POST /v1/events` receives it: the strict JSON parser over the
// sample fraud event (samples/events/card-fraud-in.json, sent compact as senders and
// scripts/loadtest send it: 517 bytes, nested objects, a decimal amount), and the whole
// ingest parse (content type, UTF-8 and id checks) of one event and of a batch of 100.
// Run with `swift package benchmark --target Parsing` from Benchmarks/ (see README.md).

import Benchmark
import Foundation
import HeraldCore
import HeraldServer

struct ParsingFixtureError: Error, CustomStringConvertible {
    var description: String
}

/// The sample event as one line of compact JSON, its id replaced by `id`. Fails (rather than
/// benchmarking a stand-in) when the sample is missing or does not parse.
func sampleEvent(id: String) throws -> [UInt8] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("samples/events/card-fraud-in.json")
    let pretty = try Array(Data(contentsOf: url))
    guard case .object(var object) = try JSONParser.parse(pretty) else {
        throw ParsingFixtureError(description: "\(url.path) is not a JSON object")
    }
    object["id"] = .string(id)
    return JSONValue.object(object).compactJSONBytes
}

let fixtures = Result { () throws -> (event: [UInt8], batch: [UInt8]) in
    let event = try sampleEvent(id: "evt-01JPBX7K4Q2M8R3T5V6W9Y0Z1A")
    // 100 distinct events, as a sender's batch would carry (same shape, different ids).
    let events = try (0..<100).map { try sampleEvent(id: "evt-01JPBX7K4Q2M8R3T5V6W\(1000 + $0)") }
    let batch = [UInt8]("[".utf8) + Array(events.joined(separator: [UInt8](",".utf8))) + [UInt8]("]".utf8)
    // Check once that the ingest parse accepts every event, so the loops time the success path.
    for (body, count) in [(event, 1), (batch, 100)] {
        switch IngestParser.parse(IngestRequest(contentType: "application/json", body: body)) {
        case .success(let parsed) where parsed.events.count == count && parsed.invalid.isEmpty:
            break
        case .success(let parsed):
            throw ParsingFixtureError(description: "ingest parse kept \(parsed.events.count) of \(count) events")
        case .failure(let problem):
            throw ParsingFixtureError(description: "ingest parse refused the fixture: \(problem)")
        }
    }
    return (event, batch)
}

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        timeUnits: .nanoseconds, warmupIterations: 10, scalingFactor: .kilo, maxDuration: .seconds(5), maxIterations: 100_000)
    let eventSize = (try? fixtures.get().event.count).map(String.init) ?? "?"
    let setup: Benchmark.BenchmarkSetupHook = { _ = try fixtures.get() }
    Benchmark("Parsing: JSON event (\(eventSize) bytes)", configuration: configuration, closure: { benchmark in
        let event = try fixtures.get().event
        for _ in benchmark.scaledIterations {
            blackHole(try JSONParser.parse(event))
        }
    }, setup: setup)
    Benchmark("Parsing: ingest request, one event", configuration: configuration, closure: { benchmark in
        let request = IngestRequest(contentType: "application/json", body: try fixtures.get().event)
        for _ in benchmark.scaledIterations {
            blackHole(IngestParser.parse(request))
        }
    }, setup: setup)
    Benchmark("Parsing: ingest request, batch of 100 events", configuration: .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal], timeUnits: .microseconds, warmupIterations: 5,
        scalingFactor: .one, maxDuration: .seconds(5), maxIterations: 10_000), closure: { benchmark in
        let request = IngestRequest(contentType: "application/json", body: try fixtures.get().batch)
        for _ in benchmark.scaledIterations {
            blackHole(IngestParser.parse(request))
        }
    }, setup: setup)
}
