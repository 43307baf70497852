import Foundation
import HeraldCore

/// herald.yaml's server keys: `listen`, `store`, `api_keys`, and the `ingest:` and `delivery:` limits.
extension GatewayConfigDecoder {
    public static let ingestKeys = ["max_body", "max_events", "max_pending", "target_delivery_lag", "max_delivery_lag", "duplicate_window", "signing_secret"]
    public static let serverDeliveryKeys = ["workers", "retention", "lease", "shutdown_grace"]

    mutating func decodeServer(_ fields: MappingFields, directory: String) -> ServerSettings {
        var settings = ServerSettings()
        settings.storePath = GatewayConfigDecoder.resolve(settings.storePath, against: directory)
        if let node = fields["listen"] {
            if let text = node.scalarText, let (host, port) = GatewayConfigDecoder.hostPort(text) {
                settings.host = host
                settings.port = port
            } else {
                log.error(node.start, "'listen' must be HOST:PORT", hint: "write e.g. 'listen: 127.0.0.1:8080' (port 0 picks a free port)")
            }
        }
        if let node = fields["node"] {
            if let name = node.string("'node'", log: &log, hint: "write e.g. 'node: herald-1'"),
               !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) {
                settings.node = name
            } else if node.scalarText != nil {
                log.error(node.start, "'node' must be 1 to 64 letters, digits, '-', '_' or '.'", hint: "write e.g. 'node: herald-1'")
            }
        }
        if let node = fields["store"], case .mapping = node.kind {
            decodePostgresStore(node, directory: directory, into: &settings)
        } else if let node = fields["store"], let text = node.string("'store'", log: &log, hint: "write e.g. 'store: sqlite:data/herald.db'") {
            let parts = text.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            let query = parts.count == 2 ? String(parts[1]) : nil
            if text.hasPrefix("sqlite:"), parts[0].count > "sqlite:".count {
                settings.storeSetting = text
                settings.storePath = GatewayConfigDecoder.resolve(String(parts[0].dropFirst("sqlite:".count)), against: directory)
                switch query {
                case nil, "synchronous=normal": settings.storeSynchronousFull = false
                case "synchronous=full": settings.storeSynchronousFull = true
                case let other?:
                    log.error(node.start, "'store' option '\(other)' is not known",
                              hint: "write 'sqlite:PATH' or 'sqlite:PATH?synchronous=full' (every commit waits for the disk: survives power loss)")
                }
            } else if text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") {
                decodePostgresURL(text, at: node, password: nil, pool: nil, into: &settings)
            } else {
                log.error(node.start, "'store' must be 'sqlite:PATH' or 'postgresql://USER@HOST:PORT/DBNAME', not '\(text)'",
                          hint: "write e.g. 'store: sqlite:data/herald.db' (relative to herald.yaml) for one node, or a PostgreSQL URL for a cluster")
            }
        }
        if let node = fields["api_keys"] {
            if let items = node.sequence("'api_keys'", log: &log, hint: "write e.g. 'api_keys: [env:HERALD_API_KEY]'") {
                for item in items {
                    guard case .string(let text)? = item.scalarValue, let reference = SecretReference(reference: text) else {
                        // Never echo the value: it may be the key itself.
                        log.error(item.start, "an API key must be a reference to a secret, not the key itself",
                                  hint: "write 'env:VARIABLE' or 'file:path/to/key' and keep the key out of this file")
                        continue
                    }
                    settings.apiKeys.append(reference.relative(to: directory))
                }
            }
        }
        if let node = fields["ingest"], node.mapping("'ingest'", log: &log, hint: "write e.g. 'ingest: {max_body: 1MiB, duplicate_window: 24h}'") != nil {
            let ingest = MappingFields(node, allowed: GatewayConfigDecoder.ingestKeys, context: "'ingest'", log: &log)
            if let value = ingest["max_body"] {
                if let bytes = GatewayConfigDecoder.byteSize(value.scalarText), bytes >= 1024, bytes <= 64 << 20 { settings.maxBodyBytes = bytes } else {
                    log.error(value.start, "'max_body' of 'ingest' must be a size from 1KiB to 64MiB", hint: "write e.g. 'max_body: 1MiB' or 'max_body: 512KiB'")
                }
            }
            if let value = ingest["max_events"] {
                if let count = value.wholeNumber(in: 1...100_000) { settings.maxEventsPerRequest = count } else {
                    log.error(value.start, "'max_events' of 'ingest' must be a whole number from 1 to 100000", hint: "write e.g. 'max_events: 1000'")
                }
            }
            if let value = ingest["max_pending"] {
                if let count = value.wholeNumber(in: 1...100_000_000) { settings.maxPending = count } else {
                    log.error(value.start, "'max_pending' of 'ingest' must be a whole number from 1 to 100000000", hint: "write e.g. 'max_pending: 100000'")
                }
            }
            for (key, keyPath, range, example) in [
                ("target_delivery_lag", \ServerSettings.targetDeliveryLag, Duration.milliseconds(1)...Duration.seconds(60), "25ms"),
                ("max_delivery_lag", \ServerSettings.maxDeliveryLag, Duration.milliseconds(1)...Duration.seconds(600), "1s"),
            ] {
                guard let value = ingest[key] else { continue }
                if let duration = GatewayConfigDecoder.duration(value.scalarText), range.contains(duration) {
                    settings[keyPath: keyPath] = duration
                } else {
                    log.error(value.start, "'\(key)' of 'ingest' must be a duration from \(GatewayConfigDecoder.describe(range.lowerBound)) to \(GatewayConfigDecoder.describe(range.upperBound))",
                              hint: "write e.g. '\(key): \(example)'")
                }
            }
            if let target = ingest["target_delivery_lag"], ingest["max_delivery_lag"] != nil, settings.targetDeliveryLag > settings.maxDeliveryLag {
                log.error(target.start, "'target_delivery_lag' of 'ingest' (\(GatewayConfigDecoder.describe(settings.targetDeliveryLag))) is longer than 'max_delivery_lag' (\(GatewayConfigDecoder.describe(settings.maxDeliveryLag)))",
                          hint: "requests are held while deliveries lag more than the target and refused past the maximum: make the target the smaller, e.g. 'target_delivery_lag: 25ms, max_delivery_lag: 1s'")
            }
            if let value = ingest["duplicate_window"] {
                if let duration = GatewayConfigDecoder.duration(value.scalarText), duration <= .seconds(30 * 86_400) { settings.duplicateWindow = duration } else {
                    log.error(value.start, "'duplicate_window' of 'ingest' must be a duration up to 30d", hint: "write e.g. 'duplicate_window: 24h'")
                }
            }
            if let value = ingest["signing_secret"] {
                if case .string(let text)? = value.scalarValue, let reference = SecretReference(reference: text) {
                    settings.signingSecret = reference.relative(to: directory)
                } else {
                    log.error(value.start, "'signing_secret' of 'ingest' must be a reference to a secret, not the secret itself",
                              hint: "write 'signing_secret: env:VARIABLE' or 'signing_secret: file:path/to/secret'")
                }
            }
        }
        if let node = fields["delivery"], node.mapping("'delivery'", log: &log, hint: "write e.g. 'delivery: {workers: 64, retention: 7d}'") != nil {
            let delivery = MappingFields(node, allowed: GatewayConfigDecoder.serverDeliveryKeys, context: "'delivery'", log: &log)
            if let value = delivery["workers"] {
                if let count = value.wholeNumber(in: 1...65_536) { settings.workers = count } else {
                    log.error(value.start, "'workers' of 'delivery' must be a whole number from 1 to 65536",
                              hint: "write e.g. 'workers: 4096' (deliveries held in memory at once; each endpoint's 'concurrency' limits what is sent at once)")
                }
            }
            for (key, keyPath, range, example) in [
                ("retention", \ServerSettings.retention, Duration.seconds(60)...Duration.seconds(365 * 86_400), "7d"),
                ("lease", \ServerSettings.lease, Duration.seconds(1)...Duration.seconds(3600), "60s"),
                ("shutdown_grace", \ServerSettings.shutdownGrace, Duration.zero...Duration.seconds(600), "10s"),
            ] {
                guard let value = delivery[key] else { continue }
                if let duration = GatewayConfigDecoder.duration(value.scalarText), range.contains(duration) {
                    settings[keyPath: keyPath] = duration
                } else {
                    log.error(value.start, "'\(key)' of 'delivery' must be a duration from \(GatewayConfigDecoder.describe(range.lowerBound)) to \(GatewayConfigDecoder.describe(range.upperBound))",
                              hint: "write e.g. '\(key): \(example)'")
                }
            }
        }
        return settings
    }

    static let postgresStoreKeys = ["url", "password", "pool"]

    /// `store: {url: "postgresql://herald@db:5432/herald", password: env:HERALD_DB_PASSWORD, pool: 16}`.
    private mutating func decodePostgresStore(_ node: YAMLNode, directory: String, into settings: inout ServerSettings) {
        let store = MappingFields(node, allowed: GatewayConfigDecoder.postgresStoreKeys, required: ["url"], context: "'store'", log: &log)
        var password: SecretReference?
        if let value = store["password"] {
            if case .string(let text)? = value.scalarValue, let reference = SecretReference(reference: text) {
                password = reference.relative(to: directory)
            } else {
                // Never echo the value: it may be the password itself.
                log.error(value.start, "'password' of 'store' must be a reference to a secret, not the password itself",
                          hint: "write 'password: env:HERALD_DB_PASSWORD' or 'password: file:path/to/password'")
            }
        }
        var pool: Int?
        if let value = store["pool"] {
            if let count = value.wholeNumber(in: 2...256) { pool = count } else {
                log.error(value.start, "'pool' of 'store' must be a whole number from 2 to 256", hint: "write e.g. 'pool: 16' (connections this node keeps open)")
            }
        }
        guard let url = store["url"] else { return }
        guard let text = url.string("'url' of 'store'", log: &log, hint: "write e.g. 'url: \"postgresql://herald@db:5432/herald\"'") else { return }
        decodePostgresURL(text, at: url, password: password, pool: pool, into: &settings)
    }

    private mutating func decodePostgresURL(_ text: String, at node: YAMLNode, password: SecretReference?, pool: Int?,
                                            into settings: inout ServerSettings) {
        switch PostgresStoreSetting.parse(text) {
        case .success(var setting):
            setting.password = password
            if let pool { setting.pool = pool }
            settings.postgres = setting
            settings.storeSetting = setting.url
        case .failure(let problem):
            log.error(node.start, "'store': \(problem.message)", hint: problem.hint)
        }
    }

    /// `127.0.0.1:8080`, `[::1]:8080`, `localhost:0`.
    public static func hostPort(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(where: \.isWhitespace), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else { return nil }
        return (host, port)
    }

    /// `1MiB`, `512KiB`, `1048576`, `2MB` (decimal units are taken as binary: a limit, not a bill).
    static func byteSize(_ text: String?) -> Int? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        let units: [(String, Int)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("KB", 1 << 10), ("MB", 1 << 20), ("GB", 1 << 30), ("B", 1)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let value = Int(text.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), value >= 0, value <= Int.max / scale else { return nil }
            return value * scale
        }
        return Int(text)
    }

    static func describe(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds != 0 { return "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000)ms" }
        if seconds == 0 { return "0s" }
        if seconds % 86_400 == 0 { return "\(seconds / 86_400)d" }
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}

extension YAMLNode {
    /// A whole number within `range`, or nil.
    func wholeNumber(in range: ClosedRange<Int>) -> Int? {
        guard case .number(let number)? = scalarValue, number.value == number.value.rounded(),
              number.value >= Double(range.lowerBound), number.value <= Double(range.upperBound) else { return nil }
        return Int(number.value)
    }
}
