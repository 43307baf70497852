import Foundation
import HeraldCore

/// `tracing: {endpoint, sample, service_name, headers}`: OpenTelemetry spans of `herald serve`.
extension GatewayConfigDecoder {
    public static let tracingKeys = ["endpoint", "sample", "service_name", "headers"]

    mutating func decodeTracing(_ node: YAMLNode, directory: String) -> TracingSettings? {
        guard node.mapping("'tracing'", log: &log, hint: "write e.g. 'tracing: {endpoint: http://otel-collector:4318, sample: 0.01}'") != nil else {
            return nil
        }
        let fields = MappingFields(node, allowed: GatewayConfigDecoder.tracingKeys, required: ["endpoint"], context: "'tracing'", log: &log)
        let errorsBefore = log.diagnostics.count
        var endpoint: String?
        if let value = fields["endpoint"], let text = value.string("'endpoint' of 'tracing'", log: &log, hint: "write e.g. 'endpoint: http://otel-collector:4318'") {
            let url = URL(string: text)
            if url?.user != nil || url?.password != nil {
                // Never echo the value: it holds credentials.
                log.error(value.start, "'endpoint' of 'tracing' carries credentials",
                          hint: "keep secrets out of herald.yaml: write the URL without them and add e.g. 'headers: {Authorization: env:OTLP_AUTH}'")
            } else if let url, let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host?.isEmpty == false,
                      url.query == nil, url.fragment == nil {
                var base = text
                while base.hasSuffix("/") { base.removeLast() }
                endpoint = base
                if base.hasSuffix("/v1/traces") {
                    log.warning(value.start, "'endpoint' of 'tracing' ends in /v1/traces; Herald adds /v1/traces itself, so spans go to \(base)/v1/traces",
                                hint: "write the collector's base URL, e.g. 'endpoint: \(base.dropLast("/v1/traces".count))'")
                }
            } else {
                log.error(value.start, "'endpoint' of 'tracing' is not a valid http/https URL",
                          hint: "write the collector's OTLP/HTTP base URL, e.g. 'endpoint: http://otel-collector:4318' (spans go to /v1/traces under it)")
            }
        }
        var sample = TracingSettings.defaultSample
        if let value = fields["sample"] {
            if case .number(let number)? = value.scalarValue, number.value >= 0, number.value <= 1 {
                sample = number.value
            } else {
                log.error(value.start, "'sample' of 'tracing' must be a number from 0 to 1, the share of new traces recorded",
                          hint: "write e.g. 'sample: 0.01' (1 in 100) or 'sample: 1' (all)")
            }
        }
        var serviceName = TracingSettings.defaultServiceName
        if let value = fields["service_name"],
           let text = value.string("'service_name' of 'tracing'", log: &log, hint: "write e.g. 'service_name: herald'") {
            if !text.isEmpty, text.count <= 255, !text.contains(where: { $0.isNewline }) {
                serviceName = text
            } else {
                log.error(value.start, "'service_name' of 'tracing' must be 1 to 255 characters on one line", hint: "write e.g. 'service_name: herald'")
            }
        }
        var headers: [DeliverySettings.Header] = []
        if let value = fields["headers"],
           let entries = value.mapping("'headers' of 'tracing'", log: &log, hint: "write one 'Header-Name: value' per line, e.g. 'Authorization: env:OTLP_AUTH'") {
            for entry in entries {
                guard let name = entry.key.string("a header name", log: &log) else { continue }
                guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "!#$%&'*+-.^_`|~".contains($0)) }) else {
                    log.error(entry.key.start, "'\(name)' is not a valid HTTP header name", hint: "use letters, digits and '-', e.g. X-Scope-OrgID")
                    continue
                }
                if ["content-type", "content-length", "host"].contains(name.lowercased()) {
                    log.error(entry.key.start, "header '\(name)' of 'tracing' is set by the exporter", hint: "remove it")
                    continue
                }
                // Never echo the value: it may be a credential.
                guard let text = entry.value.scalarText, !text.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
                    log.error(entry.value.start, "header '\(name)' of 'tracing' must be a string on one line", hint: "quote the value, or write 'env:VARIABLE'")
                    continue
                }
                if let reference = SecretReference(reference: text) {
                    headers.append(.init(name: name, value: .secret(reference.relative(to: directory))))
                } else {
                    headers.append(.init(name: name, value: .literal(text)))
                }
            }
        }
        guard !log.diagnostics[errorsBefore...].contains(where: { $0.severity == .error }), let endpoint else { return nil }
        return TracingSettings(endpoint: endpoint, sample: sample, serviceName: serviceName, headers: headers)
    }
}
