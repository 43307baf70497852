import Foundation
import Testing

/// herald.yaml and its rules folder read the same way by `herald check` and `herald serve` (start
/// and reload): whatever one accepts, refuses or warns about, so does the other, in the same words.
@Suite(.serialized) struct ConfigLoadingTests {
    static let rules = RunningServer.greetingRules(channel: "ops")

    /// `RunningServer.folder`'s herald.yaml (endpoints at a port nothing listens on) with
    /// `ruleFile` at rules/rules.yaml, and `rules:` set to `setting`.
    static func folder(rules setting: String = "rules", ruleFile: String = ConfigLoadingTests.rules, extra: String = "") throws -> URL {
        try RunningServer.folder(sinkPort: 9, extra: extra, rules: ruleFile, rulesSetting: setting)
    }

    /// Starts `herald serve` in `folder`; when it refuses to start, returns its exit status and stderr.
    static func serveRefusal(in folder: URL) throws -> (status: Int32, stderr: String)? {
        let server = try RunningServer(folder: folder)
        guard server.port == 0 else {
            server.stop()
            return nil
        }
        let status = server.stop()
        return (status, server.stderr)
    }

    /// `rules:` names a rule file, not a folder: docs/config.md says the folder must exist, and
    /// `herald serve` cannot list it. `herald check` used to read the file as the rules and say OK.
    @Test func aRulesSettingNamingAFileIsRefusedByCheckAndServeAlike() throws {
        let folder = try Self.folder(rules: "rules/rules.yaml")
        defer { try? FileManager.default.removeItem(at: folder) }
        let expected = "herald.yaml:1:1: error: rules folder 'rules/rules.yaml' is a file, not a folder; "
            + "point 'rules:' at the folder that holds the rule files (it is relative to herald.yaml)"

        let check = try HeraldProcess.run(["check"], in: folder)
        #expect(check.status == 1, "\(check.stdout)")
        #expect(check.lines.first == expected, "\(check.stdout)")

        let refusal = try #require(try Self.serveRefusal(in: folder), "herald serve started with a rules file as its folder")
        #expect(refusal.status == 1)
        #expect(refusal.stderr.contains(expected), "\(refusal.stderr)")
    }

    /// Both report herald.yaml's errors and the rules' errors in one run, in the same order.
    @Test func serveListsConfigAndRuleErrorsTogetherAsCheckDoes() throws {
        let folder = try Self.folder(ruleFile: Self.rules.replacingOccurrences(of: "template: hello", with: "template: helo"),
                                     extra: "protection: {pacing: lots}")
        defer { try? FileManager.default.removeItem(at: folder) }

        let check = try HeraldProcess.run(["check"], in: folder)
        #expect(check.status == 1)
        let errors = check.lines.filter { $0.contains(": error: ") }
        #expect(errors.count == 2, "\(check.stdout)")
        #expect(errors.first?.hasPrefix("herald.yaml:") == true)
        #expect(errors.last?.hasPrefix("rules/rules.yaml:") == true)

        let refusal = try #require(try Self.serveRefusal(in: folder))
        #expect(refusal.status == 1)
        let served = refusal.stderr.split(separator: "\n").map(String.init).filter { $0.contains(": error: ") }
        #expect(served == errors, "\(refusal.stderr)")
    }

    /// An empty rules folder is a warning for both: a reload to it succeeds and says why nothing matches.
    @Test func anEmptyRulesFolderIsAWarningForCheckAndForAReload() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let warning = "rules:1:1: warning: no *.yaml or *.yml files in the rules folder; add rule files, or point 'rules:' at the right folder"

        let server = try RunningServer(folder: folder)
        #expect(server.port > 0, "\(server.stderr)")
        try FileManager.default.removeItem(at: folder.appendingPathComponent("rules/rules.yaml"))
        let reload = try await server.request("POST", "/-/reload")
        server.stop()
        #expect(reload.status == 200, "\(reload.text)")
        #expect(reload.object["diagnostics"] as? [String] == [warning], "\(reload.text)")

        let check = try HeraldProcess.run(["check"], in: folder)
        #expect(check.status == 0)
        #expect(check.lines.first == warning, "\(check.stdout)")
    }

    /// A rules folder written `./rules` is named as a person would write it, by both.
    @Test func ruleFilesAreNamedAlikeByCheckAndAReload() async throws {
        let folder = try Self.folder(rules: "./rules")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try RunningServer(folder: folder)
        #expect(server.port > 0, "\(server.stderr)")
        try Self.rules.replacingOccurrences(of: "template: hello", with: "template: helo")
            .write(to: folder.appendingPathComponent("rules/rules.yaml"), atomically: true, encoding: .utf8)
        let reload = try await server.request("POST", "/-/reload")
        server.stop()
        #expect(reload.status == 422, "\(reload.text)")

        let check = try HeraldProcess.run(["check"], in: folder)
        #expect(check.status == 1)
        let errors = check.lines.filter { $0.contains(": error: ") }
        #expect(errors.count == 1 && errors.first?.hasPrefix("rules/rules.yaml:8:") == true, "\(check.stdout)")
        let refused = (reload.object["diagnostics"] as? [String] ?? []).filter { $0.contains(": error: ") }
        #expect(refused == errors, "\(reload.text)")
    }
}
