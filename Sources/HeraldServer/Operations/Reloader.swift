import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads the rules and templates on SIGHUP (`kill -HUP`), as `POST /-/reload` does.
final class Reloader: Service, Sendable {
    let gateway: Gateway
    let logger: Logger

    init(gateway: Gateway, logger: Logger) {
        self.gateway = gateway
        self.logger = logger
    }

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            await Reloader.reload(gateway, logger: logger, trigger: "SIGHUP")
        }
    }

    static func reload(_ gateway: Gateway, logger: Logger, trigger: String) async {
        let status = await gateway.reload()
        ReloadMetrics.record(status)
        if status.successful {
            logger.info("\(status.summary)", metadata: ["trigger": "\(trigger)"])
        } else {
            logger.error("\(status.summary)", metadata: ["trigger": "\(trigger)"])
            for diagnostic in status.diagnostics where diagnostic.severity == .error {
                logger.error("\(diagnostic.description)")
            }
        }
    }
}
