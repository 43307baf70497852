import HeraldCore

/// What `herald serve` needs beyond the rules and endpoints: where it listens, where it stores, who
/// may post events, and its limits. Every key has a default, so a config written for `herald send`
/// also serves.
public struct ServerSettings: Sendable, Hashable {
    /// `listen: HOST:PORT`; port 0 picks a free port.
    public var host: String
    public var port: Int
    /// `store: sqlite:PATH`, resolved against herald.yaml's folder.
    public var storePath: String
    /// `store` as written, for messages (a PostgreSQL URL never carries a password).
    public var storeSetting: String
    /// `store: postgresql://USER@HOST:PORT/DBNAME` (or `{url: …, password: env:…}`): the cluster's
    /// shared PostgreSQL database instead of the SQLite file. Nil for SQLite.
    public var postgres: PostgresStoreSetting?
    /// `node: NAME` (or `--node NAME`): this node's name in logs, metrics and attempts. Nil: host name and pid.
    public var node: String?
    /// `store: sqlite:PATH?synchronous=full`: wait for the disk on every commit, so commits also
    /// survive power loss (default false: they survive a process crash; see docs/durability.md).
    public var storeSynchronousFull: Bool = false
    /// `api_keys: [env:…, file:…]`: Bearer keys accepted on /v1/events. Empty: no key is accepted,
    /// so ingest answers 401 until one is configured.
    public var apiKeys: [SecretReference]
    /// `ingest.max_body`: larger bodies get 413.
    public var maxBodyBytes: Int
    /// `ingest.max_events`: events per request.
    public var maxEventsPerRequest: Int
    /// `ingest.max_pending`: past this many pending deliveries, ingest answers 503 with Retry-After.
    public var maxPending: Int
    /// `ingest.duplicate_window`: an event id (or Idempotency-Key) seen within it is acknowledged
    /// again without a second delivery.
    public var duplicateWindow: Duration
    /// `ingest.signing_secret`: when set, requests must carry `X-Herald-Signature` over the body.
    public var signingSecret: SecretReference?
    /// `ingest.target_delivery_lag`: while deliveries to an event's endpoints wait longer than this
    /// for a slot, its request is held (its sender waits) until they catch up.
    public var targetDeliveryLag: Duration
    /// `ingest.max_delivery_lag`: past this lag, or held this long, a request is refused (503).
    public var maxDeliveryLag: Duration
    /// `delivery.workers`: deliveries a node holds in memory at once, attempting or waiting for their
    /// endpoint (each endpoint's `concurrency` limits how many are sent at once).
    public var workers: Int
    /// `delivery.retention`: delivered records are pruned after this age.
    public var retention: Duration
    /// `delivery.lease`: how long a worker holds a delivery before another may take it over.
    public var lease: Duration
    /// `delivery.shutdown_grace`: on SIGTERM, how long in-flight work may take to finish.
    public var shutdownGrace: Duration
    /// `tracing:`: where spans are exported, and how many traces are recorded. Nil: no tracing.
    public var tracing: TracingSettings? = nil

    public static let defaultListen = "127.0.0.1:8080"
    public static let defaultStore = "sqlite:data/herald.db"

    public init(host: String = "127.0.0.1", port: Int = 8080, storePath: String = "data/herald.db", storeSetting: String = defaultStore,
                apiKeys: [SecretReference] = [], maxBodyBytes: Int = 1 << 20, maxEventsPerRequest: Int = 1000, maxPending: Int = 100_000,
                duplicateWindow: Duration = .seconds(86_400), signingSecret: SecretReference? = nil, workers: Int = 4096,
                retention: Duration = .seconds(7 * 86_400), lease: Duration = .seconds(60), shutdownGrace: Duration = .seconds(10),
                targetDeliveryLag: Duration = .milliseconds(25), maxDeliveryLag: Duration = .seconds(1)) {
        self.targetDeliveryLag = targetDeliveryLag
        self.maxDeliveryLag = maxDeliveryLag
        self.host = host
        self.port = port
        self.storePath = storePath
        self.storeSetting = storeSetting
        self.apiKeys = apiKeys
        self.maxBodyBytes = maxBodyBytes
        self.maxEventsPerRequest = maxEventsPerRequest
        self.maxPending = maxPending
        self.duplicateWindow = duplicateWindow
        self.signingSecret = signingSecret
        self.workers = workers
        self.retention = retention
        self.lease = lease
        self.shutdownGrace = shutdownGrace
    }
}

/// `store: postgresql://USER@HOST:PORT/DBNAME?sslmode=…`, with the password as a reference.
public struct PostgresStoreSetting: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var username: String
    public var database: String
    /// libpq's `sslmode`: `disable`, `prefer` (the default), `require` or `verify-full`.
    public var sslmode: String
    /// `password: env:…` or `file:…`; nil when the server needs none (trust or peer authentication).
    public var password: SecretReference?
    /// `pool: N`: connections this node keeps open at most.
    public var pool: Int

    public static let sslmodes = ["disable", "prefer", "require", "verify-full"]

    public init(host: String, port: Int = 5432, username: String, database: String, sslmode: String = "prefer",
                password: SecretReference? = nil, pool: Int = 16) {
        self.host = host
        self.port = port
        self.username = username
        self.database = database
        self.sslmode = sslmode
        self.password = password
        self.pool = pool
    }

    /// The URL without a password, as messages show it.
    public var url: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "postgresql://\(username)@\(hostPart):\(port)/\(database)" + (sslmode == "prefer" ? "" : "?sslmode=\(sslmode)")
    }

    /// Why `text` is not a usable store URL, or the setting it names. Never echoes a password.
    public static func parse(_ text: String) -> Result<PostgresStoreSetting, URLProblem> {
        guard let scheme = ["postgresql://", "postgres://"].first(where: { text.hasPrefix($0) }) else {
            return .failure(.init(message: "not a PostgreSQL URL", hint: "write 'postgresql://USER@HOST:PORT/DBNAME'"))
        }
        var rest = Substring(text.dropFirst(scheme.count))
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        guard let slash = rest.firstIndex(of: "/") else {
            return .failure(.init(message: "the PostgreSQL URL names no database", hint: "end it with the database: 'postgresql://herald@db:5432/herald'"))
        }
        let authority = rest[..<slash]
        let database = String(rest[rest.index(after: slash)...]).removingPercentEncoding ?? ""
        guard !database.isEmpty, !database.contains("/") else {
            return .failure(.init(message: "the PostgreSQL URL names no database", hint: "end it with the database: 'postgresql://herald@db:5432/herald'"))
        }
        guard let at = authority.lastIndex(of: "@") else {
            return .failure(.init(message: "the PostgreSQL URL names no user", hint: "write the role before the host: 'postgresql://herald@db:5432/herald'"))
        }
        let userInfo = authority[..<at]
        if userInfo.contains(":") {
            return .failure(.init(message: "the PostgreSQL URL carries a password",
                                  hint: "keep secrets out of herald.yaml: write 'store: {url: \"postgresql://USER@HOST:PORT/DB\", password: env:HERALD_DB_PASSWORD}'"))
        }
        let username = String(userInfo).removingPercentEncoding ?? ""
        guard !username.isEmpty else {
            return .failure(.init(message: "the PostgreSQL URL names no user", hint: "write the role before the host: 'postgresql://herald@db:5432/herald'"))
        }
        var hostPort = String(authority[authority.index(after: at)...])
        var port = 5432
        var host: String
        if hostPort.hasPrefix("["), let close = hostPort.firstIndex(of: "]") {
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            hostPort = String(hostPort[hostPort.index(after: close)...])
            if hostPort.hasPrefix(":") {
                guard let value = Int(hostPort.dropFirst()), (1...65_535).contains(value) else {
                    return .failure(.init(message: "the PostgreSQL URL's port is not a number from 1 to 65535", hint: "write e.g. 'postgresql://herald@db:5432/herald'"))
                }
                port = value
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            guard let value = Int(hostPort[hostPort.index(after: colon)...]), (1...65_535).contains(value) else {
                return .failure(.init(message: "the PostgreSQL URL's port is not a number from 1 to 65535", hint: "write e.g. 'postgresql://herald@db:5432/herald'"))
            }
            port = value
        } else {
            host = hostPort
        }
        guard !host.isEmpty, !host.contains(where: \.isWhitespace) else {
            return .failure(.init(message: "the PostgreSQL URL names no host", hint: "write e.g. 'postgresql://herald@db.internal:5432/herald'"))
        }
        var setting = PostgresStoreSetting(host: host, port: port, username: username, database: database)
        for item in query.split(separator: "&") where !item.isEmpty {
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0])
            let value = pair.count == 2 ? String(pair[1]) : ""
            switch name {
            case "sslmode":
                guard sslmodes.contains(value) else {
                    return .failure(.init(message: "sslmode '\(value)' is not known", hint: "write sslmode=disable, prefer, require or verify-full"))
                }
                setting.sslmode = value
            case "password":
                return .failure(.init(message: "the PostgreSQL URL carries a password",
                                      hint: "keep secrets out of herald.yaml: write 'store: {url: …, password: env:HERALD_DB_PASSWORD}'"))
            default:
                return .failure(.init(message: "option '\(name)' in the PostgreSQL URL is not known", hint: "the only option is sslmode=disable|prefer|require|verify-full"))
            }
        }
        return .success(setting)
    }

    /// A problem with a store URL: what and how to fix it.
    public struct URLProblem: Error, Sendable, Hashable {
        public var message: String
        public var hint: String
    }
}
