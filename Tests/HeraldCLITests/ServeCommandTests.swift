import Foundation
import Glibc
import HeraldDelivery
import Testing

/// `herald serve` as a real process on loopback, delivering to a real `herald sink`.
@Suite(.serialized) struct ServeCommandTests {
    static let fraudEvent = HeraldProcess.packageRoot.appendingPathComponent("samples/events/card-fraud-in.json")
    static var fraud: String { (try? String(contentsOf: fraudEvent, encoding: .utf8)) ?? "" }
    static let fraudID = "evt-01JPBX7K4Q2M8R3T5V6W9Y0Z1A"

    /// A fraud event for another transaction (its own event id, transaction id and phone): the
    /// rule de-duplicates by transaction id, so each copy must be a different transaction.
    static func fraud(id: String, phone: String = "+919876543210") -> String {
        fraud.replacingOccurrences(of: fraudID, with: id).replacingOccurrences(of: "+919876543210", with: phone)
            .replacingOccurrences(of: "txn-IN-20250314-004218", with: "txn-\(id)")
    }

    struct Setup {
        let sink: RunningSink
        let server: RunningServer

        func stop() -> (sink: [String], status: Int32) {
            let status = server.stop()
            let printed = sink.stop()
            try? FileManager.default.removeItem(at: server.folder)
            return (printed.stdout, status)
        }
    }

    static func start(sinkArguments: [String] = [], extra: String = "", rules: String? = nil) throws -> Setup {
        let sink = try RunningSink(sinkArguments)
        let folder = try RunningServer.folder(sinkPort: sink.port, extra: extra, rules: rules)
        let server = try RunningServer(folder: folder, environment: RunningServer.secrets)
        return Setup(sink: sink, server: server)
    }

    @Test func anAcceptedEventIsDeliveredAndItsHistoryShown() async throws {
        let setup = try Self.start()
        #expect(setup.server.port > 0, "\(setup.server.stderr)")
        let reply = try await setup.server.post("/v1/events", Self.fraud)
        #expect(reply.status == 202, "\(reply.text)")
        let events = reply.object["events"] as? [[String: Any]]
        #expect(events?.first?["id"] as? String == Self.fraudID)
        #expect(events?.first?["status"] as? String == "accepted")
        #expect(events?.first?["matched"] as? [String] == ["card-fraud-check"])
        #expect(events?.first?["messages"] as? Int == 1)

        let record = try await setup.server.poll("/v1/events/\(Self.fraudID)") { object in
            ((object["deliveries"] as? [[String: Any]])?.first?["status"] as? String) == "delivered"
        }
        let delivery = try #require((record["deliveries"] as? [[String: Any]])?.first)
        #expect(delivery["id"] as? String == "\(Self.fraudID)/card-fraud-check")
        #expect(delivery["delivered_via"] as? String == "whatsapp")
        #expect(delivery["provider_id"] as? String == "wamid.1")
        let attempts = try #require(delivery["attempts"] as? [[String: Any]])
        #expect(attempts.count == 1)
        #expect(attempts.first?["outcome"] as? String == "delivered")
        #expect((record["event"] as? [String: Any])?["type"] as? String == "bank.card.transaction.flagged")

        let (printed, status) = setup.stop()
        #expect(status == 0)
        #expect(printed.first == "whatsapp → +91•••••••210: template aurora_card_fraud_check (hi): Croma Electronics | ₹48,999.00 | 4821")
    }

    @Test func aRepeatedEventIDOrIdempotencyKeyIsAcknowledgedWithoutASecondMessage() async throws {
        let setup = try Self.start()
        let first = try await setup.server.post("/v1/events", Self.fraud)
        let again = try await setup.server.post("/v1/events", Self.fraud)
        #expect(first.status == 202 && again.status == 202)
        #expect(again.object["duplicates"] as? Int == 1 && again.object["accepted"] as? Int == 0)
        #expect((again.object["events"] as? [[String: Any]])?.first?["status"] as? String == "duplicate")

        let keyed = try await setup.server.post("/v1/events", Self.fraud(id: "evt-keyed-1"), headers: ["Idempotency-Key": "txn-42"])
        let retried = try await setup.server.post("/v1/events", Self.fraud(id: "evt-keyed-2"), headers: ["Idempotency-Key": "txn-42"])
        #expect(keyed.object["accepted"] as? Int == 1)
        #expect(retried.object["duplicates"] as? Int == 1, "\(retried.text)")
        _ = try await setup.server.poll("/v1/deliveries?status=pending") { ($0["deliveries"] as? [Any])?.isEmpty == true }
        let (printed, _) = setup.stop()
        #expect(printed.filter { $0.hasPrefix("whatsapp → ") }.count == 2, "one message per distinct event: \(printed)")
    }

    @Test func badKeysAndBadBodiesGetPreciseProblemsAndStoreNothing() async throws {
        let setup = try Self.start(extra: "ingest: {max_body: 2KiB}")
        let server = setup.server
        func problem(_ reply: RunningServer.Reply) -> (Int, String?, String?) {
            (reply.status, reply.headers["content-type"], (reply.object["type"] as? String).map { String($0.split(separator: "/").last ?? "") })
        }
        let noKey = try await server.post("/v1/events", Self.fraud, key: nil)
        #expect(problem(noKey) == (401, "application/problem+json", "unauthorized"))
        #expect(noKey.headers["www-authenticate"] == "Bearer")
        #expect(problem(try await server.post("/v1/events", Self.fraud, key: "wrong")) == (401, "application/problem+json", "unauthorized"))

        let syntax = try await server.post("/v1/events", #"{"id": "a", "type": }"#)
        #expect(problem(syntax) == (400, "application/problem+json", "invalid-json"))
        #expect(syntax.object["offset"] as? Int == 20 && syntax.object["line"] as? Int == 1 && syntax.object["column"] as? Int == 21, "\(syntax.text)")

        let missingID = try await server.post("/v1/events", #"{"type": "bank.card.transaction.flagged"}"#)
        #expect(problem(missingID).0 == 400 && (missingID.object["detail"] as? String)?.contains("id") == true, "\(missingID.text)")

        let tooLarge = try await server.post("/v1/events", "[" + String(repeating: #"{"id":"x"},"#, count: 400) + "{}]")
        #expect(problem(tooLarge) == (413, "application/problem+json", "body-too-large"))

        #expect(problem(try await server.post("/v1/events", "id=1", contentType: "application/x-www-form-urlencoded")).0 == 415)

        // A batch with one bad event: the others are accepted, the bad one named with its pointer.
        let batch = try await server.post("/v1/events", "[\(Self.fraud(id: "evt-b1")), {\"id\": 7}]")
        #expect(batch.status == 202)
        #expect(batch.object["accepted"] as? Int == 1 && batch.object["invalid"] as? Int == 1)
        let invalid = (batch.object["events"] as? [[String: Any]])?.last
        #expect(invalid?["status"] as? String == "invalid" && invalid?["pointer"] as? String == "/1/id", "\(batch.text)")

        for id in ["a", "x"] {
            #expect(try await server.request("GET", "/v1/events/\(id)").status == 404, "nothing was stored for '\(id)'")
        }
        _ = setup.stop()
    }

    @Test func cloudEventsInEveryModeAreAccepted() async throws {
        let setup = try Self.start()
        let server = setup.server
        let structured = try await server.post("/v1/events", Self.fraud(id: "ce-structured"), contentType: "application/cloudevents+json")
        #expect(structured.object["accepted"] as? Int == 1, "\(structured.text)")
        let batch = try await server.post("/v1/events", "[\(Self.fraud(id: "ce-batch-1")), \(Self.fraud(id: "ce-batch-2"))]",
                                          contentType: "application/cloudevents-batch+json")
        #expect(batch.object["accepted"] as? Int == 2, "\(batch.text)")
        let data = #"{"customer":{"phone":"+919876543210","locale":"en-IN","timezone":"Asia/Kolkata"},"merchant":{"name":"Tanishq"},"amount":1234.5,"currency":"INR","card":{"last4":"1111"},"risk_score":0.95,"country":"IN"}"#
        let binary = try await server.post("/v1/events", data, contentType: "application/json", headers: [
            "ce-specversion": "1.0", "ce-id": "ce-binary-1", "ce-source": "urn:test", "ce-type": "bank.card.transaction.flagged",
        ])
        #expect(binary.object["accepted"] as? Int == 1, "\(binary.text)")
        #expect((binary.object["events"] as? [[String: Any]])?.first?["matched"] as? [String] == ["card-fraud-check"])
        _ = setup.stop()
    }

    /// A message no channel takes becomes dead with the provider's reason; once the cause is fixed,
    /// a retry delivers it.
    @Test func aDeadLetterIsListedAndReplayed() async throws {
        let failing = try RunningSink(["--status", "400"])
        let folder = try RunningServer.folder(sinkPort: failing.port)
        var server = try RunningServer(folder: folder, environment: RunningServer.secrets)
        let accepted = try await server.post("/v1/events", Self.fraud)
        #expect(accepted.status == 202)
        let dead = try await server.poll("/v1/deliveries?status=dead") { ($0["deliveries"] as? [Any])?.count == 1 }
        let record = try #require((dead["deliveries"] as? [[String: Any]])?.first)
        #expect(record["id"] as? String == "\(Self.fraudID)/card-fraud-check")
        #expect((record["dead_reason"] as? String)?.hasPrefix("sms: permanent failure") == true, "\(record)")
        #expect((record["attempts"] as? [[String: Any]])?.map { $0["channel"] as? String } == ["whatsapp", "sms"])
        #expect(server.stop() == 0)
        _ = failing.stop()

        // The provider is fixed (a sink that accepts, on a new port): point the config at it and restart.
        let working = try RunningSink()
        let config = folder.appendingPathComponent("herald.yaml")
        let text = try String(contentsOf: config, encoding: .utf8).replacingOccurrences(of: "127.0.0.1:\(failing.port)", with: "127.0.0.1:\(working.port)")
        try text.write(to: config, atomically: true, encoding: .utf8)
        server = try RunningServer(folder: folder, environment: RunningServer.secrets)
        let encoded = "\(Self.fraudID)%2Fcard-fraud-check"
        let retry = try await server.request("POST", "/v1/deliveries/\(encoded)/retry")
        #expect(retry.status == 202, "\(retry.text)")
        let again = try await server.request("POST", "/v1/deliveries/\(encoded)/retry")
        #expect(again.status == 409 || again.status == 202, "a second retry of a no longer dead delivery: \(again.text)")
        let delivered = try await server.poll("/v1/events/\(Self.fraudID)") {
            (($0["deliveries"] as? [[String: Any]])?.first?["status"] as? String) == "delivered"
        }
        let attempts = (delivered["deliveries"] as? [[String: Any]])?.first?["attempts"] as? [[String: Any]]
        #expect(attempts?.count == 3, "the history keeps the failed attempts: \(String(describing: attempts))")
        #expect(server.stop() == 0)
        #expect(working.stop().stdout.first?.hasPrefix("whatsapp → +91•••••••210: ") == true)
        try? FileManager.default.removeItem(at: folder)
    }

    @Test func aReloadSwapsValidRulesAndRefusesInvalidOnes() async throws {
        let rules = RunningServer.greetingRules()
        let setup = try Self.start(rules: rules)
        let server = setup.server
        let file = server.folder.appendingPathComponent("rules/rules.yaml")
        try rules.replacingOccurrences(of: "types: [greeting]", with: "type: [greeting]")
            .replacingOccurrences(of: "match: {type: [greeting]}", with: "match: {type: [greeting, welcome]}")
            .write(to: file, atomically: true, encoding: .utf8)
        let valid = try await server.request("POST", "/-/reload")
        #expect(valid.status == 200 && valid.object["successful"] as? Bool == true, "\(valid.text)")
        let welcome = try await server.post("/v1/events", #"{"id":"w1","type":"welcome","data":{"phone":"+5511912345678","name":"Ana"}}"#)
        #expect((welcome.object["events"] as? [[String: Any]])?.first?["matched"] as? [String] == ["greet"], "\(welcome.text)")

        try rules.replacingOccurrences(of: "template: hello", with: "template: helo").write(to: file, atomically: true, encoding: .utf8)
        let invalid = try await server.request("POST", "/-/reload")
        #expect(invalid.status == 422)
        #expect(invalid.object["successful"] as? Bool == false)
        #expect((invalid.object["diagnostics"] as? [String])?.contains { $0.contains("rules.yaml:8:") && $0.contains("did you mean 'hello'?") } == true,
                "\(invalid.text)")
        // The old set keeps serving, and the metric says the last reload failed.
        let still = try await server.post("/v1/events", #"{"id":"w2","type":"welcome","data":{"phone":"+5511912345678","name":"Bia"}}"#)
        #expect((still.object["events"] as? [[String: Any]])?.first?["matched"] as? [String] == ["greet"])
        let metrics = try await server.request("GET", "/metrics", key: nil).text
        #expect(metrics.contains("herald_config_last_reload_successful 0"), "\(metrics)")

        // SIGHUP reloads too: with the file fixed, the metric is back to 1.
        try rules.write(to: file, atomically: true, encoding: .utf8)
        kill(server.process.processIdentifier, SIGHUP)
        var reloaded = ""
        for _ in 0..<50 where !reloaded.contains("herald_config_last_reload_successful 1") {
            try await Task.sleep(for: .milliseconds(100))
            reloaded = try await server.request("GET", "/metrics", key: nil).text
        }
        #expect(reloaded.contains("herald_config_last_reload_successful 1"))
        _ = setup.stop()
    }

    @Test func metricsCountEventsMatchesAndDeliveries() async throws {
        let setup = try Self.start()
        _ = try await setup.server.post("/v1/events", Self.fraud)
        _ = try await setup.server.post("/v1/events", "{", key: RunningServer.apiKey)
        _ = try await setup.server.poll("/v1/events/\(Self.fraudID)") {
            (($0["deliveries"] as? [[String: Any]])?.first?["status"] as? String) == "delivered"
        }
        let metrics = try await setup.server.request("GET", "/metrics", key: nil)
        #expect(metrics.status == 200)
        for line in [
            "herald_events_accepted_total 1", #"herald_events_rejected_total{reason="invalid-json"} 1"#,
            #"herald_rule_matches_total{rule="card-fraud-check"} 1"#, #"herald_deliveries_total{endpoint="whatsapp",result="delivered"} 1"#,
            #"herald_delivery_attempt_duration_seconds_count{endpoint="whatsapp"} 1"#,
        ] {
            #expect(metrics.text.contains(line + "\n"), "missing \(line)")
        }
        #expect(metrics.text.contains("herald_outbox_pending "))
        // The group commit's counters are sampled every second: the accept and the recorded
        // attempt show up within a few samples.
        func value(_ name: String, in text: String) -> Double? {
            text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
        }
        var sampled = metrics.text
        for _ in 0..<50 where (value("herald_store_writes_total", in: sampled) ?? 0) < 2 {
            try await Task.sleep(for: .milliseconds(100))
            sampled = try await setup.server.request("GET", "/metrics", key: nil).text
        }
        #expect((value("herald_store_writes_total", in: sampled) ?? 0) >= 2, "\(sampled)")
        #expect((value("herald_store_transactions_total", in: sampled) ?? 0) >= 1, "\(sampled)")
        #expect(try await setup.server.request("GET", "/-/ready", key: nil).status == 200)
        _ = setup.stop()
    }

    /// SIGTERM: intake stops, the process exits 0 and the store is left consistent (a restart serves it).
    @Test func sigtermExitsCleanlyAndARestartServesTheSameStore() async throws {
        let setup = try Self.start()
        _ = try await setup.server.post("/v1/events", Self.fraud)
        #expect(setup.server.stop(signal: SIGTERM) == 0, "\(setup.server.stderr)")
        let again = try RunningServer(folder: setup.server.folder, environment: RunningServer.secrets)
        let record = try await again.request("GET", "/v1/events/\(Self.fraudID)")
        #expect(record.status == 200)
        #expect(again.stop() == 0)
        _ = setup.sink.stop()
        try? FileManager.default.removeItem(at: setup.server.folder)
    }
}

/// Backpressure, graceful shutdown with work in flight, and signed ingest.
@Suite(.serialized) struct ServeOperationsTests {
    @Test func pastMaxPendingIngestAnswers503WithRetryAfterAndStoresNothing() async throws {
        // The provider is down and asks for a minute: deliveries stay pending, however slow the machine.
        let setup = try ServeCommandTests.start(sinkArguments: ["--status", "503", "--retry-after", "60"], extra: "ingest: {max_pending: 2}")
        let server = setup.server
        for index in 0..<2 {
            let reply = try await server.post("/v1/events", ServeCommandTests.fraud(id: "bp-\(index)"))
            #expect(reply.status == 202)
            try await Task.sleep(for: .milliseconds(150))  // past the 100 ms depth cache
        }
        let refused = try await server.post("/v1/events", ServeCommandTests.fraud(id: "bp-2"))
        #expect(refused.status == 503, "\(refused.text)")
        #expect(refused.headers["retry-after"] == "1")
        #expect((refused.object["type"] as? String)?.hasSuffix("/outbox-full") == true)
        #expect(try await server.request("GET", "/v1/events/bp-2").status == 404, "a refused event is not stored")
        _ = setup.stop()
    }

    /// An endpoint that takes one request at a time and 3 s to answer: the third event's delivery
    /// would wait behind two, so its request is held, then refused with 503 `overloaded` and
    /// Retry-After once held for `max_delivery_lag`; a request while deliveries lag past it is
    /// refused at once. Neither is stored; what was accepted is delivered.
    @Test func whenDeliveriesLagIngestHoldsThenRefusesWith503AndRetryAfter() async throws {
        let sink = try RunningSink(["--delay", "3s"])
        let folder = try HeraldProcess.temporaryFolder()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("rules"), withIntermediateDirectories: true)
        try RunningServer.greetingRules(channel: "slow").write(to: folder.appendingPathComponent("rules/rules.yaml"), atomically: true, encoding: .utf8)
        try """
            rules: rules
            listen: 127.0.0.1:0
            store: sqlite:data/herald.db
            api_keys: [env:HERALD_API_KEY]
            ingest: {target_delivery_lag: 20ms, max_delivery_lag: 1s}
            endpoints:
              slow: {kind: webhook, url: "http://127.0.0.1:\(sink.port)/slow", concurrency: 1, adaptive_concurrency: false, timeout: 10s}
            """.write(to: folder.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let server = try RunningServer(folder: folder)
        func greeting(_ id: String) -> String { #"{"id":"\#(id)","type":"greeting","data":{"phone":"+919876543210","name":"Asha"}}"# }
        #expect(try await server.post("/v1/events", greeting("lag-1")).status == 202)
        #expect(try await server.post("/v1/events", greeting("lag-2")).status == 202)
        // lag-2's delivery now waits for lag-1's to finish.
        try await Task.sleep(for: .milliseconds(300))
        let held = try await server.post("/v1/events", greeting("lag-3"))
        #expect(held.status == 503, "\(held.text)")
        #expect((held.object["type"] as? String)?.hasSuffix("/overloaded") == true, "\(held.text)")
        #expect(Int(held.headers["retry-after"] ?? "") ?? 0 >= 1, "\(held.headers)")
        #expect((held.object["lag_ms"] as? Int) ?? 0 >= 1000, "\(held.text)")
        let refused = try await server.post("/v1/events", greeting("lag-4"))
        #expect(refused.status == 503 && (refused.object["type"] as? String)?.hasSuffix("/overloaded") == true, "\(refused.text)")
        for id in ["lag-3", "lag-4"] {
            #expect(try await server.request("GET", "/v1/events/\(id)").status == 404, "a refused event is not stored")
        }
        let metrics = try await server.request("GET", "/metrics").text
        #expect(metrics.contains(#"herald_events_rejected_total{reason="overloaded"} 2"#), "\(metrics)")
        // What was accepted goes out, one at a time.
        var delivered = 0
        while delivered < 2 {
            try await Task.sleep(for: .milliseconds(200))
            delivered = 0
            for id in ["lag-1", "lag-2"] {
                let record = try await server.request("GET", "/v1/events/\(id)").object
                if ((record["deliveries"] as? [[String: Any]])?.first?["status"] as? String) == "delivered" { delivered += 1 }
            }
        }
        #expect(server.stop() == 0, "\(server.stderr)")
        _ = sink.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    /// SIGTERM while an attempt is in flight: the attempt finishes and is recorded before the
    /// process exits 0, so a restart does not send it again.
    @Test func sigtermLetsTheAttemptInFlightFinishAndRecordIt() async throws {
        let setup = try ServeCommandTests.start(sinkArguments: ["--delay", "1s"])
        let accepted = try await setup.server.post("/v1/events", ServeCommandTests.fraud)
        #expect(accepted.status == 202)
        try await Task.sleep(for: .milliseconds(300))
        #expect(setup.server.stop(signal: SIGTERM) == 0, "\(setup.server.stderr)")
        let restarted = try RunningServer(folder: setup.server.folder, environment: RunningServer.secrets)
        let record = try await restarted.request("GET", "/v1/events/\(ServeCommandTests.fraudID)").object
        let delivery = (record["deliveries"] as? [[String: Any]])?.first
        #expect(delivery?["status"] as? String == "delivered", "\(record)")
        #expect((delivery?["attempts"] as? [Any])?.count == 1)
        #expect(restarted.stop() == 0)
        #expect(setup.sink.stop().stdout.filter { $0.hasPrefix("whatsapp → ") }.count == 1, "sent once")
        try? FileManager.default.removeItem(at: setup.server.folder)
    }

    @Test func withASigningSecretOnlySignedFreshBodiesAreAccepted() async throws {
        let sink = try RunningSink()
        let folder = try RunningServer.folder(sinkPort: sink.port, extra: "ingest: {signing_secret: env:INGEST_SECRET}")
        let server = try RunningServer(folder: folder, environment: RunningServer.secrets.merging(["INGEST_SECRET": "whsec_ingest"]) { $1 })
        let body = ServeCommandTests.fraud
        let unsigned = try await server.post("/v1/events", body)
        #expect(unsigned.status == 401 && (unsigned.object["type"] as? String)?.hasSuffix("/bad-signature") == true, "\(unsigned.text)")
        let now = Int64(Date().timeIntervalSince1970)
        let signature = WebhookSignature.sign(body: Array(body.utf8), timestamp: now, secret: "whsec_ingest")
        let forged = try await server.post("/v1/events", body, headers: [
            "X-Herald-Timestamp": String(now), "X-Herald-Signature": WebhookSignature.sign(body: Array(body.utf8), timestamp: now, secret: "guess"),
        ])
        #expect(forged.status == 401)
        let stale = try await server.post("/v1/events", body, headers: [
            "X-Herald-Timestamp": String(now - 3600),
            "X-Herald-Signature": WebhookSignature.sign(body: Array(body.utf8), timestamp: now - 3600, secret: "whsec_ingest"),
        ])
        #expect(stale.status == 401, "a replayed request an hour old is refused")
        let signed = try await server.post("/v1/events", body, headers: ["X-Herald-Timestamp": String(now), "X-Herald-Signature": signature])
        #expect(signed.status == 202, "\(signed.text)")
        #expect(server.stop() == 0)
        _ = sink.stop()
        try? FileManager.default.removeItem(at: folder)
    }
}

/// `herald deliveries` and `herald replay`: the dead-letter workflow from the command line.
@Suite struct DeliveriesCommandTests {
    @Test func deadLettersAreListedAndReplayedFromTheCommandLine() async throws {
        let failing = try RunningSink(["--status", "400"])
        let folder = try RunningServer.folder(sinkPort: failing.port)
        defer { try? FileManager.default.removeItem(at: folder) }
        var server = try RunningServer(folder: folder, environment: RunningServer.secrets)
        _ = try await server.post("/v1/events", ServeCommandTests.fraud)
        _ = try await server.poll("/v1/deliveries?status=dead") { ($0["deliveries"] as? [Any])?.count == 1 }
        #expect(server.stop() == 0)
        _ = failing.stop()

        let id = "\(ServeCommandTests.fraudID)/card-fraud-check"
        let listed = try HeraldProcess.run(["deliveries", "--config", "herald.yaml"], in: folder)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.lines.count == 1)
        let line = try #require(listed.lines.first)
        #expect(line.hasPrefix("\(id)  dead  sms  2 attempts  sms: permanent failure"), "\(line)")
        #expect(line.contains("21211"))
        #expect(listed.stderr.contains("1 dead delivery"))
        let json = try HeraldProcess.run(["deliveries", "--config", "herald.yaml", "--status", "all", "--json"], in: folder)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["id"] as? String == id && object["status"] as? String == "dead")

        let unknown = try HeraldProcess.run(["replay", "--config", "herald.yaml", "no-such/delivery"], in: folder)
        #expect(unknown.status == 1 && unknown.stderr.contains("'no-such/delivery' is not a dead delivery"))
        let replayed = try HeraldProcess.run(["replay", "--config", "herald.yaml", "--all-dead"], in: folder)
        #expect(replayed.status == 0 && replayed.lines == ["\(id): requeued"], "\(replayed.stdout)\(replayed.stderr)")

        // The provider works again: a restarted server delivers what was replayed.
        let working = try RunningSink()
        let config = folder.appendingPathComponent("herald.yaml")
        try String(contentsOf: config, encoding: .utf8).replacingOccurrences(of: "127.0.0.1:\(failing.port)", with: "127.0.0.1:\(working.port)")
            .write(to: config, atomically: true, encoding: .utf8)
        server = try RunningServer(folder: folder, environment: RunningServer.secrets)
        let delivered = try await server.poll("/v1/events/\(ServeCommandTests.fraudID)") {
            (($0["deliveries"] as? [[String: Any]])?.first?["status"] as? String) == "delivered"
        }
        #expect(((delivered["deliveries"] as? [[String: Any]])?.first?["status"] as? String) == "delivered")
        #expect(server.stop() == 0)
        _ = working.stop()
        let none = try HeraldProcess.run(["deliveries", "--config", "herald.yaml"], in: folder)
        #expect(none.lines.isEmpty && none.stderr.contains("0 dead deliveries"))
    }
}

/// What a hostile or broken sender gets from the real server, and what the logs show.
@Suite struct ServeHostileInputTests {
    @Test func hostileBodiesGetProblemsAndTheServerKeepsServing() async throws {
        let setup = try ServeCommandTests.start()
        let server = setup.server
        let nested = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let hugeNumber = #"{"id":"n","type":"x","data":{"n":"# + String(repeating: "9", count: 200_000) + "}}"
        var invalidUTF8 = Data(#"{"id":"u","type":"x","data":{"name":""#.utf8)
        invalidUTF8 += Data([0xC3, 0x28, 0xFF])
        invalidUTF8 += Data(#""}}"#.utf8)
        for (name, body) in [("deep nesting", Data(nested.utf8)), ("a 200,000-digit number", Data(hugeNumber.utf8)), ("invalid UTF-8", invalidUTF8),
                             ("a NUL byte", Data(#"{"id":"z","type":"x"}"#.utf8) + Data([0]))] {
            let reply = try await server.request("POST", "/v1/events", body: body)
            #expect([400, 413].contains(reply.status), "\(name): \(reply.status) \(reply.text.prefix(200))")
            #expect(reply.headers["content-type"] == "application/problem+json", "\(name)")
        }
        // 5 MiB, over the 1 MiB limit: refused without being stored, and the server still answers.
        let large = try await server.request("POST", "/v1/events", body: Data(repeating: 0x20, count: 5 << 20))
        #expect(large.status == 413)
        #expect(try await server.request("GET", "/-/healthy", key: nil).status == 200)
        let accepted = try await server.post("/v1/events", ServeCommandTests.fraud)
        #expect(accepted.status == 202)
        #expect(setup.stop().status == 0)
    }

    @Test func jsonLogsCarryIDsAndNeverAPhoneNumberOrSecret() async throws {
        let failing = try RunningSink(["--status", "400"])
        let folder = try RunningServer.folder(sinkPort: failing.port)
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try RunningServer(folder: folder, environment: RunningServer.secrets, arguments: ["--log-format", "json", "--log-level", "debug"])
        _ = try await server.post("/v1/events", ServeCommandTests.fraud)
        _ = try await server.poll("/v1/deliveries?status=dead") { ($0["deliveries"] as? [Any])?.count == 1 }
        #expect(server.stop() == 0)
        _ = failing.stop()
        let lines = server.stderr.split(separator: "\n").filter { $0.hasPrefix("{") }
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == lines.count && !objects.isEmpty, "every log line is one JSON object")
        let dead = objects.first { $0["msg"] as? String == "dead letter" }
        #expect(dead?["delivery"] as? String == "\(ServeCommandTests.fraudID)/card-fraud-check")
        #expect(dead?["level"] as? String == "warning")
        #expect(!server.stderr.contains("9876543210") && !server.stderr.contains("98765"), "no phone number in the logs")
        for secret in ["wa-secret", "tw-secret", RunningServer.apiKey] {
            #expect(!server.stderr.contains(secret), "no secret in the logs")
        }
    }
}

/// `herald optouts`: the opt-out list from the command line.
@Suite struct OptOutsCommandTests {
    @Test func optOutsAreAddedListedAndRemoved() async throws {
        let sink = try RunningSink()
        let folder = try RunningServer.folder(sinkPort: sink.port)
        defer { try? FileManager.default.removeItem(at: folder) }
        // The store exists once the server has run.
        let server = try RunningServer(folder: folder, environment: RunningServer.secrets)
        #expect(server.stop() == 0)
        _ = sink.stop()

        let added = try HeraldProcess.run(["optouts", "--config", "herald.yaml", "--add", "+91 98765-43210", "--category", "marketing",
                                           "--reason", "asked by phone"], in: folder)
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.lines.count == 1)
        #expect(added.lines.first?.hasPrefix("+919876543210  marketing  ") == true && added.lines.first?.hasSuffix("  asked by phone") == true, "\(added.lines)")
        let all = try HeraldProcess.run(["optouts", "--config", "herald.yaml", "--add", "+5511912345678"], in: folder)
        #expect(all.lines.map { $0.split(separator: " ").dropFirst().first.map(String.init) } == ["fraud", "marketing", "service"])
        let listed = try HeraldProcess.run(["optouts", "--config", "herald.yaml"], in: folder)
        #expect(listed.lines.count == 4 && listed.stderr.contains("4 opt-outs"))
        let removed = try HeraldProcess.run(["optouts", "--config", "herald.yaml", "--remove", "+55 11 91234-5678"], in: folder)
        #expect(removed.lines == ["removed 3 opt-outs"])
        let bad = try HeraldProcess.run(["optouts", "--config", "herald.yaml", "--add", "+1", "--category", "spam"], in: folder)
        #expect(bad.status == 2 && bad.stderr.contains("--category must be fraud, service or marketing"))
    }
}
