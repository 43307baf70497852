import HeraldCore

/// The delivery keys of an endpoint: `rate`, `concurrency`, `adaptive_concurrency`, `timeout`, `connect_timeout`,
/// `retry: {attempts, max_age}`, `headers`, `sign`, `insecure`.
extension GatewayConfigDecoder {
    static let deliveryKeys = ["rate", "concurrency", "adaptive_concurrency", "timeout", "connect_timeout", "retry", "headers", "sign", "insecure"]

    mutating func decodeDelivery(_ fields: MappingFields, context: String, kind: Endpoint.Kind?, directory: String) -> DeliverySettings {
        var settings = DeliverySettings.default
        if let node = fields["rate"] {
            if let rate = GatewayConfigDecoder.rate(node.scalarText) {
                settings.ratePerSecond = rate
            } else {
                log.error(node.start, "'rate' of \(context) must be a count per second, minute or hour, like 80/s",
                          hint: "write e.g. 'rate: 80/s' (a WhatsApp number's default throughput) or 'rate: 600/m'")
            }
        }
        if let node = fields["concurrency"] {
            if case .number(let number)? = node.scalarValue, number.value >= 1, number.value <= 1024, number.value == number.value.rounded() {
                settings.concurrency = Int(number.value)
            } else {
                log.error(node.start, "'concurrency' of \(context) must be a whole number from 1 to 1024", hint: "write e.g. 'concurrency: 16'")
            }
        }
        if let node = fields["adaptive_concurrency"] {
            if case .bool(let flag)? = node.scalarValue {
                settings.adaptiveConcurrency = flag
            } else {
                log.error(node.start, "'adaptive_concurrency' of \(context) must be true or false",
                          hint: "write 'adaptive_concurrency: false' to keep 'concurrency' in flight whatever the endpoint's latency, or remove it")
            }
        }
        for (key, keyPath) in [("timeout", \DeliverySettings.timeout), ("connect_timeout", \DeliverySettings.connectTimeout)] {
            guard let node = fields[key] else { continue }
            if let duration = GatewayConfigDecoder.duration(node.scalarText), duration > .zero, duration <= .seconds(600) {
                settings[keyPath: keyPath] = duration
            } else {
                log.error(node.start, "'\(key)' of \(context) must be a duration from 1ms to 10m, like 10s",
                          hint: "write e.g. '\(key): 10s' or '\(key): 500ms'")
            }
        }
        if let node = fields["retry"], node.mapping("'retry' of \(context)", log: &log, hint: "write e.g. 'retry: {attempts: 5, max_age: 10m}'") != nil {
            let retry = MappingFields(node, allowed: ["attempts", "max_age"], context: "'retry' of \(context)", log: &log)
            if let attempts = retry["attempts"] {
                if case .number(let number)? = attempts.scalarValue, number.value >= 1, number.value <= 100, number.value == number.value.rounded() {
                    settings.maxAttempts = Int(number.value)
                } else {
                    log.error(attempts.start, "'attempts' of \(context) must be a whole number from 1 to 100 (1: no retries)", hint: "write e.g. 'attempts: 5'")
                }
            }
            if let age = retry["max_age"] {
                if let duration = GatewayConfigDecoder.duration(age.scalarText), duration > .zero, duration <= .seconds(7 * 86_400) {
                    settings.maxAge = duration
                } else {
                    log.error(age.start, "'max_age' of \(context) must be a duration up to 7d, like 10m", hint: "write e.g. 'max_age: 10m'")
                }
            }
        }
        if let node = fields["headers"], let entries = node.mapping("'headers' of \(context)", log: &log, hint: "write one 'Header-Name: value' per line") {
            for entry in entries {
                guard let name = entry.key.string("a header name", log: &log) else { continue }
                guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "!#$%&'*+-.^_`|~".contains($0)) }) else {
                    log.error(entry.key.start, "'\(name)' is not a valid HTTP header name", hint: "use letters, digits and '-', e.g. X-Bank-Id")
                    continue
                }
                if ["authorization", "content-type", "content-length", "host"].contains(name.lowercased()) {
                    log.error(entry.key.start, "header '\(name)' of \(context) is set by Herald", hint: "remove it; use 'token:' for credentials")
                    continue
                }
                guard let text = entry.value.scalarText else {
                    log.error(entry.value.start, "header '\(name)' of \(context) must be a string", hint: "quote the value")
                    continue
                }
                if let reference = SecretReference(reference: text) {
                    settings.headers.append(.init(name: name, value: .secret(reference.relative(to: directory))))
                } else {
                    settings.headers.append(.init(name: name, value: .literal(text)))
                }
            }
        }
        // On other kinds, 'sign' is reported as a key that does not apply.
        if let node = fields["sign"], kind == nil || kind == .webhook {
            if case .string(let text)? = node.scalarValue, let reference = SecretReference(reference: text) {
                settings.signingSecret = reference.relative(to: directory)
            } else {
                // Never echo the value: it may be the secret itself.
                log.error(node.start, "'sign' of \(context) must be a reference to a secret, not the secret itself",
                          hint: "write 'sign: env:VARIABLE' or 'sign: file:path/to/secret'")
            }
        }
        if let node = fields["insecure"] {
            if case .bool(let flag)? = node.scalarValue {
                settings.insecure = flag
                if flag {
                    log.warning(node.start, "\(context) skips TLS certificate verification",
                                hint: "use 'insecure: true' only for local test endpoints; anyone on the path can read and change these messages")
                }
            } else {
                log.error(node.start, "'insecure' of \(context) must be true or false", hint: "write 'insecure: false' or remove it")
            }
        }
        return settings
    }

    /// `80/s`, `600/m`, `3600/h` → per second.
    static func rate(_ text: String?) -> Double? {
        guard let text, let slash = text.firstIndex(of: "/") else { return nil }
        guard let count = Double(text[..<slash].trimmingCharacters(in: .whitespaces)), count > 0, count.isFinite else { return nil }
        switch text[text.index(after: slash)...].trimmingCharacters(in: .whitespaces) {
        case "s": return count
        case "m": return count / 60
        case "h": return count / 3600
        default: return nil
        }
    }

    /// `500ms`, `10s`, `5m`, `1h`, `7d`; a bare number is seconds. Also used for CLI options.
    public static func duration(_ text: String?) -> Duration? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            // "ms" also ends in "s": only take "s" when what precedes is a number.
            guard let value = Double(number), value >= 0, value.isFinite else { continue }
            return .milliseconds(Int64((value * scale * 1000).rounded()))
        }
        if let seconds = Double(text), seconds >= 0, seconds.isFinite { return .milliseconds(Int64((seconds * 1000).rounded())) }
        return nil
    }
}

extension YAMLNode {
    /// A scalar's text, whatever its type (`10s`, `80/s`, `5`).
    var scalarText: String? {
        if case .scalar(let scalar) = kind, scalar.value != .null { return scalar.text }
        return nil
    }
}

extension SecretReference {
    /// A `file:` reference resolved against herald.yaml's folder; `env:` as it is.
    func relative(to directory: String) -> SecretReference {
        if case .file(let path) = self { return .file(GatewayConfigDecoder.resolve(path, against: directory)) }
        return self
    }
}
