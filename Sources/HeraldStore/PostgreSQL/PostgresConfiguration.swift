/// Where a ``PostgresStore`` connects and how: the parts of `store: postgresql://USER@HOST:PORT/DBNAME`
/// with the password resolved from its reference.
public struct PostgresConfiguration: Sendable {
    /// `sslmode` in the URL's query, as libpq names them.
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, plain otherwise; the certificate is not verified (libpq's default).
        case prefer
        /// TLS or no connection; the certificate is not verified.
        case require
        /// TLS or no connection; the certificate must chain to a trusted CA and name the host.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// Connections in the pool (each node has its own pool).
    public var maximumConnections: Int
    /// The most events one group-commit transaction takes.
    public var maxGroupSize: Int
    /// How long a call waits for a connection (a new one, or one of the pool's) before it fails as
    /// unavailable: ingest answers 503 then, rather than holding the sender.
    public var connectTimeout: Duration = .seconds(3)

    public init(host: String, port: Int = 5432, username: String, password: String? = nil, database: String,
                tls: TLSMode = .prefer, maximumConnections: Int = 16, maxGroupSize: Int = 500) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.maximumConnections = maximumConnections
        self.maxGroupSize = maxGroupSize
    }

    /// `postgresql://USER@HOST:PORT/DBNAME?sslmode=…`, never with the password: for messages and logs.
    public var location: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "postgresql://\(username)@\(hostPart):\(port)/\(database)" + (tls == .prefer ? "" : "?sslmode=\(tls.rawValue)")
    }
}
