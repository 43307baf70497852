import HeraldConfig
import HeraldCore
import HeraldDelivery
import Logging
import OTel
import ServiceLifecycle

/// Starts exporting `herald serve`'s spans: swift-otel's tracer bootstrapped as the process's
/// global tracer, with a parent-based ratio sampler (`tracing.sample`) and a batching OTLP/HTTP
/// exporter (protobuf bodies) posting to `tracing.endpoint` + `/v1/traces`.
///
/// The returned service runs the batch processor and the exporter; ``running(_:logger:_:)`` runs it
/// beside `herald serve`'s service group and stops it after that group, so the spans of the requests
/// and attempts that finish during shutdown are still exported.
///
/// `herald.yaml` is the only configuration: the `OTEL_*` environment variables swift-otel would
/// otherwise read are ignored, so what `herald check` shows is what runs.
enum TraceExporter {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func bootstrap(_ settings: TracingSettings, node: String, secrets: some SecretResolver, logger: Logger) throws(Failure) -> any Service {
        var headers: [(String, String)] = []
        for header in settings.headers {
            switch header.value {
            case .literal(let value): headers.append((header.name, value))
            case .secret(let reference):
                do {
                    headers.append((header.name, try secrets.resolve(reference)))
                } catch {
                    throw Failure(description: "tracing.headers.\(header.name): \(error)")
                }
            }
        }
        var configuration = OTel.Configuration.default
        configuration.serviceName = settings.serviceName
        configuration.resourceAttributes = ["service.instance.id": node]
        configuration.diagnosticLogger = .custom(logger)
        // Export failures (a collector down) are warnings; swift-otel's start-up chatter is not news.
        configuration.diagnosticLogLevel = .warning
        configuration.propagators = [.traceContext]
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        configuration.traces.sampler = .parentBasedTraceIDRatio(ratio: settings.sample) ?? .parentBasedAlwaysOn
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        // Set explicitly, the URL is used as it is (swift-otel adds /v1/traces only to its default).
        configuration.traces.otlpExporter.endpoint = settings.tracesURL
        configuration.traces.otlpExporter.headers = headers
        // The global tracer can be bootstrapped once a process (a second time would trap).
        guard HeraldTracer.claimBootstrap() else { throw Failure(description: "tracing: already started in this process") }
        let service: any Service
        do {
            service = try OTel.bootstrap(configuration: configuration, environment: [:])
        } catch {
            throw Failure(description: "tracing: \(error)")
        }
        HeraldTracer.enable()
        logger.info("tracing", metadata: ["endpoint": "\(settings.tracesURL)", "sample": "\(settings.sample)"])
        return service
    }

    /// How long the spans still queued at shutdown may take to reach the collector, once the server
    /// and the workers have stopped.
    static let flushTimeout = Duration.seconds(5)

    /// Runs `serve` (herald serve's service group) with `exporter` beside it, in a group of its own:
    /// running before `serve` starts, shut down once `serve` is over and given at most
    /// ``flushTimeout`` to export what is still queued. The export's fate is never herald serve's:
    /// a collector that hangs or is gone costs the last spans and a warning, not the exit status,
    /// and not the deliveries' `shutdown_grace`.
    static func running(_ exporter: (any Service)?, logger: Logger, _ serve: () async throws -> Void) async throws {
        guard let exporter else { return try await serve() }
        var configuration = ServiceGroupConfiguration(services: [exporter], logger: logger)
        configuration.maximumGracefulShutdownDuration = flushTimeout
        let group = ServiceGroup(configuration: configuration)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                do {
                    try await group.run()
                } catch {
                    logger.warning("the last spans may not have been exported", metadata: ["error": "\(error)"])
                }
            }
            let served: Result<Void, any Error>
            do {
                try await serve()
                served = .success(())
            } catch {
                served = .failure(error)
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            try served.get()
        }
    }
}
