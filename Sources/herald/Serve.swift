import ArgumentParser
import Foundation
import HeraldServer
import Logging
import Metrics
import Prometheus

/// `herald serve`: the gateway service.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the gateway: ingest API, durable outbox, delivery workers, reload and metrics.",
        discussion: """
            Reads herald.yaml (listen, store, api_keys, ingest, delivery, endpoints) and its rules.
            POST /v1/events answers 202 once events and their planned deliveries are stored; workers
            deliver them with retries, rate limits and failover. Prints 'listening on http://HOST:PORT'
            on stderr once ready. SIGHUP or POST /-/reload reloads the rules; SIGTERM or SIGINT stops
            intake, lets deliveries in flight finish (delivery.shutdown_grace) and exits 0.
            See docs/serve.md and docs/openapi.yaml.
            """
    )

    @Option(help: "The config file.")
    var config: String = "herald.yaml"

    @Option(help: "This node's name in logs, metrics and attempts (default: 'node:' in herald.yaml, else host name and pid).")
    var node: String?

    @Option(name: .customLong("log-format"), help: "text or json (one JSON object per line).")
    var logFormat: String = "text"

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        if let node, node.isEmpty || node.count > 64 || !node.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) {
            throw ValidationError("--node must be 1 to 64 letters, digits, '-', '_' or '.'")
        }
        guard ["text", "json"].contains(logFormat) else { throw ValidationError("--log-format must be text or json") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let json = logFormat == "json"
        LoggingSystem.bootstrap { label in
            if json { return JSONLogHandler(label: label, level: level) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "herald")
        do {
            try await HeraldServer.run(configFile: config, node: node, logger: logger, registry: registry) { host, port in
                FileHandle.standardError.write(Data("listening on http://\(host):\(port)\n".utf8))
            }
        } catch let failure as HeraldServer.StartFailure {
            printError("herald serve: \(failure.description)")
            throw ExitStatus.invalidInput
        }
    }
}
