import Foundation
import HeraldConfig
import HeraldCore
import HeraldDelivery

/// Everything one version of the configuration serves with: herald.yaml, the compiled rules, the
/// planner and the dispatcher. A reload builds a new snapshot in full and swaps it in whole, so a
/// request or a delivery always sees one consistent version.
public struct GatewaySnapshot: Sendable {
    public var config: GatewayConfig
    public var ruleSet: RuleSet
    public var planner: MessagePlanner
    public var dispatcher: Dispatcher
    /// Per endpoint, the secrets that verify what its provider posts back: WhatsApp's `app_secret`
    /// and `verify_token`, Twilio's auth token (`token`).
    public var inbound: [String: InboundSecrets]
    /// Warnings the load produced (errors refuse the load).
    public var warnings: [Diagnostic]
    public var loadedAt: Date

    /// Why a configuration could not be loaded: its diagnostics, errors first.
    public struct LoadFailure: Error, Sendable, CustomStringConvertible {
        public var diagnostics: [Diagnostic]
        public var summary: String

        public var description: String {
            ([summary] + diagnostics.filter { $0.severity == .error }.map(\.description)).joined(separator: "\n")
        }
    }

    /// Reads herald.yaml and its rules folder and checks them as `herald check` does (`GatewayLoad`).
    /// The dispatcher takes its endpoints' gates from `registry` (the gateway's, which outlives reloads).
    public static func load(configFile: String, secrets: some SecretResolver, transport: CurlTransport,
                            now: Date = Date(), registry: EndpointRegistry = EndpointRegistry()) throws(LoadFailure) -> GatewaySnapshot {
        let load: GatewayLoad
        do {
            load = try GatewayLoad.read(configFile: configFile)
        } catch {
            throw LoadFailure(diagnostics: [Diagnostic(.error, file: configFile, mark: SourceMark(line: 1, column: 1),
                                                       message: "cannot read the file", hint: "check that it exists and is readable")],
                              summary: "cannot read config file '\(configFile)'")
        }
        guard let config = load.config, let ruleSet = load.ruleSet else {
            throw LoadFailure(diagnostics: load.diagnostics, summary: load.config == nil ? "\(configFile) has errors" : "the rules have errors")
        }
        let dispatcher = Dispatcher(endpoints: config.endpoints, secrets: secrets, transport: transport, mail: transport, registry: registry)
        var inbound: [String: InboundSecrets] = [:]
        for endpoint in config.endpoints where endpoint.kind == .whatsapp || endpoint.kind == .twilio {
            func resolve(_ reference: SecretReference?) -> Result<String, SecretError>? {
                guard let reference else { return nil }
                do { return .success(try secrets.resolve(reference)) } catch { return .failure(error) }
            }
            inbound[endpoint.name] = InboundSecrets(
                kind: endpoint.kind, appSecret: resolve(endpoint.appSecret), verifyToken: resolve(endpoint.verifyToken),
                authToken: endpoint.kind == .twilio ? resolve(endpoint.token) : nil, statusCallback: endpoint.statusCallback)
        }
        return GatewaySnapshot(config: config, ruleSet: ruleSet, planner: MessagePlanner(ruleSet: ruleSet, endpoints: config.endpoints),
                               dispatcher: dispatcher, inbound: inbound, warnings: load.warnings, loadedAt: now)
    }
}

/// The secrets an endpoint's provider webhooks are verified with; each a value, or why it could
/// not be read (naming the reference, never a value).
public struct InboundSecrets: Sendable {
    public var kind: Endpoint.Kind
    public var appSecret: Result<String, SecretError>?
    public var verifyToken: Result<String, SecretError>?
    public var authToken: Result<String, SecretError>?
    public var statusCallback: String?
}
