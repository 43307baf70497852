import HeraldConfig
import HeraldCore
import Testing

/// herald.yaml's keys for `herald serve`: defaults, values, and each mistake with its position.
@Suite struct ServerSettingsTests {
    static let endpoints = """
        endpoints:
          ops: {kind: webhook, url: "https://ops.example/herald"}
        """

    static func decode(_ yaml: String, file: String = "deploy/herald.yaml") -> GatewayConfigDecoder {
        GatewayConfigDecoder(file: file, bytes: Array((endpoints + "\n" + yaml).utf8))
    }

    @Test func everyKeyHasADefault() throws {
        let config = try #require(Self.decode("").config)
        #expect(config.server.host == "127.0.0.1" && config.server.port == 8080)
        #expect(config.server.storePath == "deploy/data/herald.db", "relative to herald.yaml")
        #expect(config.server.apiKeys == [])
        #expect(config.server.maxBodyBytes == 1_048_576)
        #expect(config.server.duplicateWindow == .seconds(86_400))
        #expect(config.server.workers == 4096)
        #expect(config.server.targetDeliveryLag == .milliseconds(25) && config.server.maxDeliveryLag == .seconds(1))
    }

    @Test func readsEveryKey() throws {
        let decoded = Self.decode("""
            listen: 0.0.0.0:0
            store: sqlite:/var/lib/herald/outbox.db
            api_keys: [env:HERALD_API_KEY, file:secrets/partner.key]
            ingest: {max_body: 512KiB, max_events: 50, max_pending: 2000, duplicate_window: 2h, signing_secret: env:INGEST_SECRET,
                     target_delivery_lag: 50ms, max_delivery_lag: 3s}
            delivery: {workers: 8, retention: 3d, lease: 30s, shutdown_grace: 5s}
            """)
        #expect(decoded.log.diagnostics.isEmpty, "\(decoded.log.diagnostics)")
        let server = try #require(decoded.config).server
        #expect(server.host == "0.0.0.0" && server.port == 0)
        #expect(server.storePath == "/var/lib/herald/outbox.db")
        #expect(server.apiKeys == [.environment("HERALD_API_KEY"), .file("deploy/secrets/partner.key")])
        #expect(server.maxBodyBytes == 524_288 && server.maxEventsPerRequest == 50 && server.maxPending == 2000)
        #expect(server.duplicateWindow == .seconds(7200))
        #expect(server.signingSecret == .environment("INGEST_SECRET"))
        #expect(server.targetDeliveryLag == .milliseconds(50) && server.maxDeliveryLag == .seconds(3))
        #expect(server.workers == 8 && server.retention == .seconds(259_200) && server.lease == .seconds(30) && server.shutdownGrace == .seconds(5))
    }

    @Test func eachMistakeIsNamedWhereItIs() {
        let decoded = Self.decode("""
            listen: 8080
            store: postgres://db/herald
            api_keys: [env:HERALD_API_KEY, "sk_live_51HxAbC"]
            ingest: {max_body: 10GiB, max_event: 5, duplicate_window: forever}
            delivery: {workers: 0, lease: 2h}
            """)
        expectDiagnostics(decoded.log.diagnostics, [
            .error(3, 9, "'listen' must be HOST:PORT"),
            .error(4, 8, "'store': the PostgreSQL URL names no user"),
            .error(5, 32, "an API key must be a reference to a secret, not the key itself"),
            .error(6, 20, "'max_body' of 'ingest' must be a size from 1KiB to 64MiB"),
            .error(6, 27, "unknown key 'max_event' in 'ingest'; did you mean 'max_events'?"),
            .error(6, 59, "'duplicate_window' of 'ingest' must be a duration up to 30d"),
            .error(7, 21, "'workers' of 'delivery' must be a whole number from 1 to 65536"),
            .error(7, 31, "'lease' of 'delivery' must be a duration from 1s to 1h"),
        ])
        #expect(!decoded.log.diagnostics.map(\.description).joined().contains("sk_live"), "a key is never echoed")
    }

    @Test func deliveryLagLimitsAreDurationsWithTheTargetUnderTheMaximum() {
        expectDiagnostics(Self.decode("ingest: {target_delivery_lag: 2s, max_delivery_lag: 500ms}").log.diagnostics, [
            .error(3, 31, "'target_delivery_lag' of 'ingest' (2s) is longer than 'max_delivery_lag' (500ms)"),
        ])
        expectDiagnostics(Self.decode("ingest: {target_delivery_lag: soon, max_delivery_lag: 0s}").log.diagnostics, [
            .error(3, 31, "'target_delivery_lag' of 'ingest' must be a duration from 1ms to 1m"),
            .error(3, 55, "'max_delivery_lag' of 'ingest' must be a duration from 1ms to 10m"),
        ])
    }

    @Test func theStoreMayWaitForTheDiskOnEveryCommit() throws {
        let full = try #require(Self.decode("store: sqlite:data/h.db?synchronous=full").config).server
        #expect(full.storeSynchronousFull && full.storePath == "deploy/data/h.db")
        #expect(try #require(Self.decode("store: sqlite:data/h.db").config).server.storeSynchronousFull == false)
        expectDiagnostics(Self.decode("store: sqlite:data/h.db?sync=yes").log.diagnostics,
                          [.error(3, 8, "'store' option 'sync=yes' is not known; write 'sqlite:PATH' or 'sqlite:PATH?synchronous=full'")])
    }

    @Test func aPostgreSQLStoreIsAURLWithThePasswordAsAReference() throws {
        let plain = try #require(Self.decode("store: postgresql://herald@db.internal:6432/gateway?sslmode=verify-full\nnode: herald-2").config).server
        #expect(plain.postgres == PostgresStoreSetting(host: "db.internal", port: 6432, username: "herald", database: "gateway", sslmode: "verify-full"))
        #expect(plain.storeSetting == "postgresql://herald@db.internal:6432/gateway?sslmode=verify-full")
        #expect(plain.node == "herald-2")

        let mapped = try #require(Self.decode("""
            store: {url: "postgres://herald@[::1]/herald", password: file:secrets/db-password, pool: 32}
            """).config).server
        #expect(mapped.postgres == PostgresStoreSetting(host: "::1", port: 5432, username: "herald", database: "herald",
                                                        password: .file("deploy/secrets/db-password"), pool: 32))
        #expect(try #require(Self.decode("store: sqlite:data/h.db").config).server.postgres == nil)
    }

    @Test func aPostgreSQLStoreMistakeIsNamedWithoutItsPassword() {
        let decoded = Self.decode("""
            store: {url: "postgresql://herald:hunter2secret@db/herald", password: "hunter2secret", pool: 1}
            node: "herald one"
            """)
        expectDiagnostics(decoded.log.diagnostics, [
            .error(3, 14, "'store': the PostgreSQL URL carries a password"),
            .error(3, 71, "'password' of 'store' must be a reference to a secret, not the password itself"),
            .error(3, 94, "'pool' of 'store' must be a whole number from 2 to 256"),
            .error(4, 7, "'node' must be 1 to 64 letters, digits, '-', '_' or '.'"),
        ])
        #expect(!decoded.log.diagnostics.map(\.description).joined().contains("hunter2"), "a password is never echoed")
        for (url, message) in [
            ("postgresql://db/herald", "names no user"),
            ("postgresql://herald@db", "names no database"),
            ("postgresql://herald@db:99999/herald", "port is not a number"),
            ("postgresql://herald@db/herald?sslmode=allow", "sslmode 'allow' is not known"),
            ("postgresql://herald@db/herald?password=x", "carries a password"),
        ] {
            let diagnostics = Self.decode("store: \(url)").log.diagnostics
            #expect(diagnostics.count == 1 && diagnostics[0].description.contains(message), "\(url): \(diagnostics)")
        }
    }
}
