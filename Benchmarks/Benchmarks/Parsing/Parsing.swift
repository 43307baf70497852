// Throughput of parsing an event as `POST /v1/events` receives it: the strict JSON parser over the
// sample fraud event's bytes (about 600 bytes, nested objects, a decimal amount), and the whole
// ingest parse (content type, id checks) of one event and of a batch of 100.
// Run with `swift package benchmark --target Parsing` from Benchmarks/ (see README.md).

import Benchmark
import Foundation
import HeraldCore
import HeraldServer

let eventBytes: [UInt8] = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("samples/events/card-fraud-in.json")
    return (try? Array(Data(contentsOf: url))) ?? Array(#"{"id":"e1","type":"x","data":{}}"#.utf8)
}()

let batchBytes: [UInt8] = {
    let one = String(decoding: eventBytes, as: UTF8.self)
    let events = (0..<100).map { one.replacingOccurrences(of: "evt-01JPBX7K4Q2M8R3T5V6W9Y0Z1A", with: "evt-\($0)") }
    return Array(("[" + events.joined(separator: ",") + "]").utf8)
}()

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        timeUnits: .microseconds, warmupIterations: 10, scalingFactor: .kilo, maxDuration: .seconds(5), maxIterations: 100_000)
    Benchmark("Parsing: JSON event (\(eventBytes.count) bytes)", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try JSONParser.parse(eventBytes))
        }
    }
    Benchmark("Parsing: ingest request, one event", configuration: configuration) { benchmark in
        let request = IngestRequest(contentType: "application/json", body: eventBytes)
        for _ in benchmark.scaledIterations {
            blackHole(IngestParser.parse(request))
        }
    }
    Benchmark("Parsing: ingest request, batch of 100 events", configuration: .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal], timeUnits: .microseconds, warmupIterations: 5,
        scalingFactor: .one, maxDuration: .seconds(5), maxIterations: 10_000)) { benchmark in
        let request = IngestRequest(contentType: "application/json", body: batchBytes)
        for _ in benchmark.scaledIterations {
            blackHole(IngestParser.parse(request))
        }
    }
}
