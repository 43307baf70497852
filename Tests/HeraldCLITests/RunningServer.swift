import Foundation
import Glibc
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A running `herald serve` on a free port, with its own folder (herald.yaml, rules/, the store),
/// stopped by `stop(signal:)`. Its stderr is drained continuously so logging never blocks it.
final class RunningServer: @unchecked Sendable {
    let process: Process
    let folder: URL
    let port: Int
    private let errors = Pipe()
    private final class Collected: Sendable {
        let data = Mutex(Data())
    }

    private let collected = Collected()
    private let drained = DispatchSemaphore(value: 0)

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var stderr: String { collected.data.withLock { String(decoding: $0, as: UTF8.self) } }

    static let apiKey = "test-key-6f1c"

    /// Starts `herald serve --config herald.yaml` in `folder`, with `environment` added.
    init(folder: URL, environment: [String: String] = [:], arguments: [String] = []) throws {
        self.folder = folder
        process = Process()
        process.executableURL = HeraldProcess.executable
        process.arguments = ["serve", "--config", "herald.yaml"] + arguments
        process.currentDirectoryURL = folder
        var merged = ProcessInfo.processInfo.environment
        merged["HERALD_API_KEY"] = RunningServer.apiKey
        merged.merge(environment) { _, new in new }
        process.environment = merged
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        var port = 0
        var seen = Data()
        let handle = errors.fileHandleForReading
        while port == 0, let chunk = try? handle.read(upToCount: 1), !chunk.isEmpty {
            seen += chunk
            if chunk.first == 0x0A {
                let line = String(decoding: seen.split(separator: 0x0A).last ?? Data(), as: UTF8.self)
                if line.hasPrefix("listening on http://127.0.0.1:") { port = Int(line.dropFirst("listening on http://127.0.0.1:".count)) ?? 0 }
            }
        }
        self.port = port
        collected.data.withLock { $0 = seen }
        let collected = self.collected
        let drained = self.drained
        Thread.detachNewThread {
            while let chunk = try? handle.read(upToCount: 65_536), !chunk.isEmpty {
                collected.data.withLock { $0 += chunk }
            }
            drained.signal()
        }
    }

    /// A test that ends early (a failed `#require`, a thrown error) must not leave a server running.
    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Sends `signal` and waits for the process to exit; returns its status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        process.waitUntilExit()
        drained.wait()
        return process.terminationStatus
    }

    /// A rule file with one rule, `greet`, sending template `hello` on `channel` for `greeting` events.
    static func greetingRules(channel: String = "whatsapp") -> String {
        """
        templates:
          hello: {default_locale: en, text: {en: "Hello {name}"}}
        rules:
          - id: greet
            match: {type: [greeting]}
            recipient: {address: $.data.phone}
            channels: [\(channel)]
            template: hello
            params: {name: $.data.name}
        """
    }

    /// A folder with herald.yaml pointing at the repository's rules (or `rules`), endpoints at `sinkPort`,
    /// and the store inside it. `extra` is appended to herald.yaml; `rulesSetting` replaces the
    /// `rules:` value written.
    static func folder(sinkPort: Int, extra: String = "", rules: String? = nil, rulesSetting: String? = nil) throws -> URL {
        let folder = try HeraldProcess.temporaryFolder()
        let rulesPath: String
        if let rules {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("rules"), withIntermediateDirectories: true)
            try rules.write(to: folder.appendingPathComponent("rules/rules.yaml"), atomically: true, encoding: .utf8)
            rulesPath = "rules"
        } else {
            rulesPath = HeraldProcess.packageRoot.appendingPathComponent("rules").path
        }
        try """
            rules: \(rulesSetting ?? rulesPath)
            listen: 127.0.0.1:0
            store: sqlite:data/herald.db
            api_keys: [env:HERALD_API_KEY]
            endpoints:
              whatsapp: {kind: whatsapp, url: "http://127.0.0.1:\(sinkPort)/v23.0/1234567890/messages", token: "env:WHATSAPP_TOKEN", retry: {attempts: 2},
                         app_secret: "env:WHATSAPP_APP_SECRET", verify_token: "env:WHATSAPP_VERIFY_TOKEN"}
              sms: {kind: twilio, url: "http://127.0.0.1:\(sinkPort)/2010-04-01/Accounts/AC1/Messages.json", account: AC1, token: "env:TWILIO_AUTH_TOKEN", from: "+15005550006", retry: {attempts: 2}}
              ops: {kind: webhook, url: "http://127.0.0.1:\(sinkPort)/ops"}
              bank-callback: {kind: webhook, url: "http://127.0.0.1:\(sinkPort)/bank/fraud-replies", sign: "env:BANK_CALLBACK_SECRET"}
            \(extra)
            """.write(to: folder.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        return folder
    }

    static let secrets = ["WHATSAPP_TOKEN": "wa-secret", "TWILIO_AUTH_TOKEN": "tw-secret", "WHATSAPP_APP_SECRET": "meta-app-secret",
                          "WHATSAPP_VERIFY_TOKEN": "verify-me", "BANK_CALLBACK_SECRET": "bank-callback-secret"]

    // MARK: HTTP

    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> Any { try JSONSerialization.jsonObject(with: body) }
        var object: [String: Any] { ((try? json()) as? [String: Any]) ?? [:] }
    }

    /// One request; `key` adds `Authorization: Bearer KEY` (nil: none).
    func request(_ method: String, _ path: String, body: Data? = nil, contentType: String? = "application/json",
                 key: String? = RunningServer.apiKey, headers: [String: String] = [:]) async throws -> Reply {
        guard let url = URL(string: baseURL + path) else { throw URLError(.badURL) }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        if let contentType, body != nil { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http?.allHeaderFields ?? [:] { fields["\(name)".lowercased()] = "\(value)" }
        return Reply(status: http?.statusCode ?? 0, headers: fields, body: data)
    }

    func post(_ path: String, _ text: String, contentType: String? = "application/json", key: String? = RunningServer.apiKey,
              headers: [String: String] = [:]) async throws -> Reply {
        try await request("POST", path, body: Data(text.utf8), contentType: contentType, key: key, headers: headers)
    }

    /// Polls `GET path` until `done` holds for the reply's JSON object (at most `attempts` × 100 ms: 30 s by default, a bound for a loaded machine).
    func poll(_ path: String, attempts: Int = 300, until done: ([String: Any]) -> Bool) async throws -> [String: Any] {
        var last: [String: Any] = [:]
        for _ in 0..<attempts {
            last = try await request("GET", path).object
            if done(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        return last
    }
}
