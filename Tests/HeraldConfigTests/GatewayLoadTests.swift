import Foundation
import HeraldConfig
import Testing

/// `GatewayLoad` on real files in a temporary folder.
@Suite struct GatewayLoadTests {
    static func folder(config: String?, rules: [String: String]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-load-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("rules"), withIntermediateDirectories: true)
        for (name, text) in rules { try text.write(to: folder.appendingPathComponent("rules/\(name)"), atomically: true, encoding: .utf8) }
        try config?.write(to: folder.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        return folder
    }

    static let rule = """
        templates: {hello: {default_locale: en, text: {en: "Hello"}}}
        rules:
          - {id: greet, match: {type: [greeting]}, recipient: {address: $.data.phone}, channels: [sms], template: hello}
        """

    @Test func aValidConfigGivesItsRuleSetAndNamesFilesAsWritten() throws {
        let folder = try Self.folder(config: "rules: ./rules/\nendpoints: {sms: {kind: webhook, url: \"http://127.0.0.1:9/\"}}", rules: ["a.yaml": Self.rule])
        defer { try? FileManager.default.removeItem(at: folder) }
        let load = try GatewayLoad.read(configFile: folder.appendingPathComponent("herald.yaml").path)
        #expect(load.diagnostics.isEmpty, "\(load.diagnostics)")
        #expect(load.ruleSet?.rules.map(\.id) == ["greet"])
        #expect(load.catalog.files == [folder.appendingPathComponent("rules/a.yaml").path])
        #expect(load.rulesLabel == folder.appendingPathComponent("rules").path + "/")
    }

    /// herald.yaml with an error still has its rules checked, against the endpoints it declares.
    @Test func theRulesAreCheckedEvenWhenHeraldYAMLHasErrors() throws {
        let folder = try Self.folder(config: "rules: rules\nendpoints: {sms: {kind: webhok, url: \"http://127.0.0.1:9/\"}}",
                                     rules: ["a.yaml": Self.rule.replacingOccurrences(of: "channels: [sms]", with: "channels: [sms, mail]")])
        defer { try? FileManager.default.removeItem(at: folder) }
        let load = try GatewayLoad.read(configFile: folder.appendingPathComponent("herald.yaml").path)
        #expect(load.config == nil && load.ruleSet == nil)
        let errors = load.diagnostics.filter { $0.severity == .error }.map(\.message)
        #expect(errors.count == 2, "\(errors)")
        #expect(errors.first?.contains("unknown kind 'webhok'") == true)
        #expect(errors.last?.contains("'mail'") == true)
    }

    @Test func whatLeavesNothingToCheckThrows() throws {
        let folder = try Self.folder(config: nil, rules: [:])
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("herald.yaml").path
        #expect(throws: GatewayLoad.Failure.unreadableConfig(missing)) { try GatewayLoad.read(configFile: missing) }
        #expect(throws: GatewayLoad.Failure.unreadableConfig(folder.path)) { try GatewayLoad.readConfig(file: folder.path) }
        let nowhere = folder.appendingPathComponent("nowhere").path
        #expect(throws: GatewayLoad.Failure.noSuchPath(nowhere)) { try GatewayLoad.read(configFile: nil, rules: .paths([nowhere])) }
    }
}
