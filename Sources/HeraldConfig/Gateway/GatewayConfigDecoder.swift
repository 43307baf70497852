import Foundation
import HeraldCore

/// herald.yaml: where the rules are and the endpoints messages go to.
public struct GatewayConfig: Sendable {
    /// The rules folder, resolved against herald.yaml's folder.
    public var rulesFolder: String
    /// The rules folder as written in the file (for messages).
    public var rulesSetting: String
    public var endpoints: [Endpoint]
    /// `herald serve`'s settings (all defaulted when herald.yaml does not set them).
    public var server: ServerSettings = ServerSettings()
    /// `protection:`: pacing, quiet hours, opt-out words, the answer to replies not understood.
    public var protection: ProtectionSettings = ProtectionSettings()

    public func endpoint(named name: String) -> Endpoint? { endpoints.first { $0.name == name } }
}

/// Reads herald.yaml, reporting every problem.
public struct GatewayConfigDecoder {
    public static let topKeys = ["rules", "endpoints", "listen", "store", "node", "api_keys", "ingest", "delivery", "protection", "tracing"]
    public static let endpointKeys = ["kind", "url", "token", "account", "from", "username", "password", "max_length", "status_callback", "body",
                                      "app_secret", "verify_token"] + deliveryKeys
    static let secretKeys: Set<String> = ["token", "password", "app_secret", "verify_token"]
    static let kindKeys: [Endpoint.Kind: [String]] = [
        .whatsapp: ["url", "token", "app_secret", "verify_token", "max_length", "rate", "concurrency", "adaptive_concurrency", "timeout", "connect_timeout", "retry", "headers", "insecure"],
        .twilio: ["url", "account", "token", "from", "status_callback", "max_length", "rate", "concurrency", "adaptive_concurrency", "timeout", "connect_timeout", "retry", "headers", "insecure"],
        .webhook: ["url", "token", "body", "max_length", "rate", "concurrency", "adaptive_concurrency", "timeout", "connect_timeout", "retry", "headers", "insecure", "sign"],
        .smtp: ["url", "from", "username", "password", "max_length", "rate", "concurrency", "adaptive_concurrency", "timeout", "connect_timeout", "retry", "headers", "insecure"],
    ]
    static let requiredKeys: [Endpoint.Kind: [String]] = [
        .whatsapp: ["url", "token"],
        .twilio: ["url", "account", "token", "from"],
        .webhook: ["url"],
        .smtp: ["url", "from"],
    ]

    public internal(set) var log: DiagnosticLog
    public private(set) var config: GatewayConfig?
    /// Every endpoint name the file declares, valid or not (so rules are not also told they name an unknown endpoint).
    public private(set) var endpointNames: Set<String> = []
    /// The kind of every endpoint whose `kind` could be read, valid or not (for checks such as `on_reply`'s).
    public private(set) var endpointKinds: [String: Endpoint.Kind] = [:]
    /// The rules folder resolved against the file's folder, readable even when the config has errors.
    public private(set) var rulesFolder: String?
    let sourceLines: [Substring]

    /// - Parameters:
    ///   - file: the config's path as the user gave it (used in diagnostics and to resolve relative paths).
    public init(file: String, bytes: [UInt8]) {
        log = DiagnosticLog(file: file)
        sourceLines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let directory = (file as NSString).deletingLastPathComponent
        let root: YAMLNode?
        do {
            root = try YAMLParser.parse(bytes)
        } catch {
            log.error(error.mark, error.message, hint: error.hint)
            return
        }
        guard let root, root.isMapping else {
            log.error(root?.start ?? SourceMark(line: 1, column: 1), "herald.yaml must be a mapping with 'rules:' and 'endpoints:'",
                      hint: "see docs/config.md for an example")
            return
        }
        root.reportDuplicateKeys(log: &log)
        let fields = MappingFields(root, allowed: GatewayConfigDecoder.topKeys, required: ["endpoints"], context: "herald.yaml", log: &log)
        var rulesSetting = "rules/"
        if let node = fields["rules"], let text = node.string("'rules'", log: &log, hint: "write the rules folder, e.g. 'rules: rules/'") {
            rulesSetting = text
        }
        var endpoints: [Endpoint] = []
        if let node = fields["endpoints"],
           let entries = node.mapping("'endpoints'", log: &log, hint: "write one 'NAME: {kind: …, url: …}' entry per endpoint") {
            if entries.isEmpty { log.error(node.start, "no endpoints are configured", hint: "add at least one endpoint, e.g. 'sms: {kind: twilio, …}'") }
            for entry in entries {
                if let endpoint = decodeEndpoint(entry, directory: directory) { endpoints.append(endpoint) }
            }
        }
        var server = decodeServer(fields, directory: directory)
        server.tracing = fields["tracing"].flatMap { decodeTracing($0, directory: directory) }
        let protection = fields["protection"].map { decodeProtection($0) } ?? ProtectionSettings()
        rulesFolder = GatewayConfigDecoder.resolve(rulesSetting, against: directory)
        guard !log.hasErrors else { return }
        config = GatewayConfig(rulesFolder: GatewayConfigDecoder.resolve(rulesSetting, against: directory),
                               rulesSetting: rulesSetting, endpoints: endpoints, server: server, protection: protection)
    }

    static func resolve(_ path: String, against directory: String) -> String {
        if path.hasPrefix("/") || directory.isEmpty { return path }
        return (directory as NSString).appendingPathComponent(path)
    }

    private mutating func decodeEndpoint(_ entry: YAMLEntry, directory: String) -> Endpoint? {
        guard let name = entry.key.string("an endpoint name", log: &log) else { return nil }
        // Declared, even if broken: rules naming it are not also told it is unknown.
        endpointNames.insert(name)
        guard RuleFileDecoder.isValidID(name) else {
            log.error(entry.key.start, "endpoint name '\(name)' has characters other than letters, digits, '.', '_' and '-'",
                      hint: "rename it, e.g. '\(RuleFileDecoder.suggestedID(name))'")
            return nil
        }
        let context = "endpoint '\(name)'"
        guard entry.value.mapping(context, log: &log, hint: "give it 'kind:' and 'url:'") != nil else { return nil }
        let fields = MappingFields(entry.value, allowed: GatewayConfigDecoder.endpointKeys, required: ["kind"], context: context, log: &log)
        let errorsBefore = log.diagnostics.count
        var kind: Endpoint.Kind?
        if let node = fields["kind"], let text = node.string("'kind' of \(context)", log: &log) {
            kind = Endpoint.Kind(rawValue: text)
            if let kind { endpointKinds[name] = kind }
            if kind == nil {
                let names = Endpoint.Kind.allCases.map(\.rawValue)
                log.error(node.start, "unknown kind '\(text)' of \(context)",
                          hint: Suggestion.closest(to: text, among: names).map { "did you mean '\($0)'?" } ?? "use one of \(names.joined(separator: ", "))")
            }
        }
        if let kind {
            for key in GatewayConfigDecoder.requiredKeys[kind] ?? [] where fields[key] == nil && !fields.suggested.contains(key) {
                log.error(entry.value.start, "missing key '\(key)' in \(context) (kind \(kind.rawValue))", hint: "add '\(key):'")
            }
            let allowed = GatewayConfigDecoder.kindKeys[kind] ?? []
            for key in GatewayConfigDecoder.endpointKeys where key != "kind" && !allowed.contains(key) {
                if let keyNode = fields.keyNode(key) {
                    log.error(keyNode.start, "key '\(key)' does not apply to \(context) (kind \(kind.rawValue))",
                              hint: "remove it; \(kind == .smtp ? "an" : "a") \(kind.rawValue) endpoint takes \(allowed.map { "'\($0)'" }.joined(separator: ", "))")
                }
            }
            if kind == .smtp, (fields["username"] == nil) != (fields["password"] == nil) {
                log.error(entry.value.start, "\(context) needs 'username' and 'password' together", hint: "give both, or neither for an SMTP server without login")
            }
            if kind == .whatsapp { checkWebhookKeys(fields, context: context) }
        }
        var strings: [String: String] = [:]
        var secrets: [String: SecretReference] = [:]
        var maxLength: Int?
        if let node = fields["max_length"] {
            if case .number(let number)? = node.scalarValue, number.value >= 1, number.value == number.value.rounded(), number.value <= 1_000_000 {
                maxLength = Int(number.value)
            } else {
                log.error(node.start, "'max_length' of \(context) must be a whole number of characters, at least 1",
                          hint: "write e.g. 'max_length: 1024'")
            }
        }
        let delivery = decodeDelivery(fields, context: context, kind: kind, directory: directory)
        for key in ["url", "token", "account", "from", "username", "password", "status_callback", "app_secret", "verify_token"] {
            guard let node = fields[key] else { continue }
            if GatewayConfigDecoder.secretKeys.contains(key) {
                // Never echo the value: it may be the secret itself.
                guard case .string(let text)? = node.scalarValue, let reference = SecretReference(reference: text) else {
                    log.error(node.start, "'\(key)' of \(context) must be a reference to a secret, not the secret itself",
                              hint: "write '\(key): env:VARIABLE' or '\(key): file:path/to/secret' and keep the value out of this file")
                    continue
                }
                secrets[key] = reference.relative(to: directory)
            } else if let text = node.string("'\(key)' of \(context)", log: &log) {
                strings[key] = text
            }
        }
        if let url = strings["url"], let node = fields["url"], let kind {
            let schemes = kind == .smtp ? ["smtp", "smtps"] : ["http", "https"]
            if let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), schemes.contains(scheme), parsed.host?.isEmpty == false {
                // valid
            } else {
                log.error(node.start, "'url' of \(context) is not a valid \(schemes.joined(separator: "/")) URL",
                          hint: kind == .smtp ? "write e.g. smtps://smtp.example.com:465" : "write e.g. https://graph.facebook.com/v23.0/PHONE_NUMBER_ID/messages")
            }
        }
        if let callback = strings["status_callback"], let node = fields["status_callback"] {
            if let parsed = URL(string: callback), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme), parsed.host?.isEmpty == false {
                // valid
            } else {
                log.error(node.start, "'status_callback' of \(context) is not a valid http/https URL",
                          hint: "write the public URL Twilio posts status changes to, e.g. https://herald.example.com/v1/webhooks/twilio")
            }
        }
        var body: BodyTemplate?
        if let node = fields["body"], kind == .webhook { body = decodeBody(node, context: context) }
        guard !log.diagnostics[errorsBefore...].contains(where: { $0.severity == .error }), let kind, let url = strings["url"] else { return nil }
        return Endpoint(name: name, kind: kind, url: url, token: secrets["token"], account: strings["account"],
                        from: strings["from"], username: strings["username"], password: secrets["password"], maxLength: maxLength,
                        statusCallback: strings["status_callback"], body: body, delivery: delivery,
                        appSecret: secrets["app_secret"], verifyToken: secrets["verify_token"])
    }
}
