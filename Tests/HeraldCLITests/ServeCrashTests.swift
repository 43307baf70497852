import Foundation
import Glibc
import Synchronization
import Testing

/// The promise to a bank: an event answered 202 is delivered, even when `herald serve` is killed
/// with SIGKILL in the middle of a load. After a restart on the same store every accepted event
/// reaches the sink; a message may arrive twice only within the at-least-once window (an attempt in
/// flight when the process died), and then with the same delivery id.
@Suite struct ServeCrashTests {
    @Test func everyAcceptedEventIsDeliveredAfterASIGKILLMidLoad() async throws {
        let sink = try RunningSink(["--json"])
        let folder = try RunningServer.folder(sinkPort: sink.port, extra: "delivery: {lease: 2s}")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try RunningServer(folder: folder, environment: RunningServer.secrets)

        let total = 400
        let killAfter = 120
        final class Tally: Sendable {
            let accepted = Mutex<[String]>([])
            let killed = Atomic<Bool>(false)
        }
        let tally = Tally()
        await withTaskGroup(of: Void.self) { group in
            for lane in 0..<8 {
                group.addTask {
                    for index in stride(from: lane, to: total, by: 8) {
                        let id = "crash-\(index)"
                        guard let reply = try? await server.post("/v1/events", ServeCommandTests.fraud(id: id)), reply.status == 202,
                              (reply.object["accepted"] as? Int) == 1 else { continue }
                        let count = tally.accepted.withLock { $0.append(id); return $0.count }
                        if count == killAfter, !tally.killed.exchange(true, ordering: .relaxed) {
                            kill(server.process.processIdentifier, SIGKILL)
                        }
                    }
                }
            }
        }
        server.process.waitUntilExit()
        #expect(server.process.terminationReason == .uncaughtSignal, "the server was killed, not stopped")
        let promised = Set(tally.accepted.withLock { $0 })
        #expect(promised.count >= killAfter)

        let restarted = try RunningServer(folder: folder, environment: RunningServer.secrets)
        let drained = try await restarted.poll("/v1/deliveries?status=pending", attempts: 300) { ($0["deliveries"] as? [Any])?.isEmpty == true }
        #expect((drained["deliveries"] as? [Any])?.isEmpty == true, "deliveries still pending after the restart")
        #expect(restarted.stop() == 0)

        let lines = sink.stop().stdout
        var seen: [String: Int] = [:]
        for line in lines {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let delivery = object["delivery"] as? String else { continue }
            seen[delivery, default: 0] += 1
        }
        let missing = promised.filter { seen["\($0)/card-fraud-check"] == nil }.sorted()
        #expect(missing.isEmpty, "accepted with 202 but never delivered: \(missing)")
        let twice = seen.filter { $0.value > 1 }
        // Only attempts in flight at the kill can repeat: at most one per worker slot, same delivery id.
        #expect(twice.count <= 64, "duplicates beyond the at-least-once window: \(twice)")
        #expect(twice.values.allSatisfy { $0 == 2 })
    }
}
