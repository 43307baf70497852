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
    /// `store` as written, for messages.
    public var storeSetting: String
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
    /// `delivery.workers`: deliveries in flight at once, across endpoints.
    public var workers: Int
    /// `delivery.retention`: delivered records are pruned after this age.
    public var retention: Duration
    /// `delivery.lease`: how long a worker holds a delivery before another may take it over.
    public var lease: Duration
    /// `delivery.shutdown_grace`: on SIGTERM, how long in-flight work may take to finish.
    public var shutdownGrace: Duration

    public static let defaultListen = "127.0.0.1:8080"
    public static let defaultStore = "sqlite:data/herald.db"

    public init(host: String = "127.0.0.1", port: Int = 8080, storePath: String = "data/herald.db", storeSetting: String = defaultStore,
                apiKeys: [SecretReference] = [], maxBodyBytes: Int = 1 << 20, maxEventsPerRequest: Int = 1000, maxPending: Int = 100_000,
                duplicateWindow: Duration = .seconds(86_400), signingSecret: SecretReference? = nil, workers: Int = 64,
                retention: Duration = .seconds(7 * 86_400), lease: Duration = .seconds(60), shutdownGrace: Duration = .seconds(10)) {
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
