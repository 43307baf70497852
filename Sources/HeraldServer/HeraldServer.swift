import Foundation
import HeraldConfig
import HeraldDelivery
import HeraldStore
import Hummingbird
import HummingbirdCore
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// `herald serve`: ingest API, delivery workers, maintenance and reload, as services of one
/// `ServiceGroup`. SIGTERM or SIGINT stops intake first (the HTTP server finishes the requests in
/// flight), then lets the deliveries in flight finish, within `delivery.shutdown_grace`; with
/// `tracing:`, the spans still queued are exported last.
public enum HeraldServer {
    /// Why the server could not start.
    public struct StartFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Runs until SIGTERM/SIGINT. `ready` is called with the bound address once the server listens.
    public static func run(configFile: String, node nodeOption: String? = nil, logger: Logger, registry: PrometheusCollectorRegistry,
                           ready: @escaping @Sendable (String, Int) -> Void) async throws {
        let transport = CurlTransport()
        let secrets = SecretStore()
        let gateway: Gateway
        do {
            gateway = try Gateway(configFile: configFile, secrets: secrets, transport: transport)
        } catch {
            throw StartFailure(description: error.description)
        }
        ReloadMetrics.record(gateway.reloadStatus)
        let settings = gateway.snapshot.config.server
        var apiKeys: [String] = []
        for reference in settings.apiKeys {
            do {
                apiKeys.append(try secrets.resolve(reference))
            } catch {
                throw StartFailure(description: "api_keys: \(error)")
            }
        }
        if apiKeys.isEmpty {
            logger.warning("no api_keys are configured: POST /v1/events answers 401 until one is added to herald.yaml")
        }
        var signingSecret: String?
        if let reference = settings.signingSecret {
            do {
                signingSecret = try secrets.resolve(reference)
            } catch {
                throw StartFailure(description: "ingest.signing_secret: \(error)")
            }
        }
        let node = nodeOption ?? settings.node ?? NodeName.default
        var logger = logger
        logger[metadataKey: "node"] = "\(node)"
        // Before anything is served, so every request and attempt is traced or none is.
        var exporter: (any Service)?
        if let tracingSettings = settings.tracing {
            do {
                exporter = try TraceExporter.bootstrap(tracingSettings, node: node, secrets: secrets, logger: logger)
            } catch {
                throw StartFailure(description: error.description)
            }
        }
        let outbox: any Outbox
        do {
            outbox = try await StoreOpener.open(settings, secrets: secrets, migrate: true, logger: logger)
        } catch {
            throw StartFailure(description: error.description)
        }
        logger.info("store opened", metadata: ["store": "\(outbox.location)"])
        // This node's share of each endpoint's limits is set before it takes any work.
        let membership = ClusterMembership(outbox: outbox, endpoints: gateway.endpoints, node: node, logger: logger)
        let nodes = await membership.join()
        if nodes.count > 1 { logger.info("joined a cluster", metadata: ["nodes": "\(nodes.joined(separator: ", "))"]) }
        let workers = DeliveryWorkers(outbox: outbox, gateway: gateway, capacity: settings.workers, lease: settings.lease,
                                      logger: logger, node: node, targetLag: settings.targetDeliveryLag, maxLag: settings.maxDeliveryLag)
        let maintenance = Maintenance(outbox: outbox, gateway: gateway, retention: max(settings.retention, settings.duplicateWindow), logger: logger)
        let reloader = Reloader(gateway: gateway, logger: logger)
        let conversations = Conversations(outbox: outbox, gateway: gateway, workers: workers, logger: logger)
        let api = GatewayAPI(gateway: gateway, outbox: outbox, workers: workers, conversations: conversations, registry: registry, apiKeys: apiKeys,
                             signingSecret: signingSecret, logger: logger)
        let host = settings.host
        let app = Application(
            router: api.router(),
            // A connection that sends nothing for 30 s is closed: slow or stalled clients cannot
            // hold connections open for ever.
            server: .http1(configuration: HTTP1Channel.Configuration(idleTimeout: .seconds(30))),
            configuration: ApplicationConfiguration(address: .hostname(host, port: settings.port), serverName: "herald"),
            services: [workers, maintenance, reloader, membership],
            onServerRunning: { channel in ready(host, channel.localAddress?.port ?? settings.port) },
            logger: logger)
        var configuration = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = settings.shutdownGrace
        // Spans still queued when the server and the workers are done are exported last.
        try await TraceExporter.running(exporter, logger: logger) {
            try await ServiceGroup(configuration: configuration).run()
        }
        logger.debug("services stopped; closing the store")
        try? await outbox.close()
        logger.info("stopped")
    }
}
