import Foundation
import Testing

/// `herald check`, run as a real process on the samples and on files made for each case.
@Suite struct CheckCommandTests {
    @Test func theSamplesAreValid() throws {
        let output = try HeraldProcess.run(["check", "--config", "samples/herald.yaml"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        #expect(output.lines.contains("samples/herald.yaml: 4 endpoints"))
        #expect(output.lines.last == "rules/: 2 files, 4 rules, 4 templates (locales: en, hi, id, pt-BR) — OK")
        #expect(!output.stdout.contains("error:"))
    }

    /// Every error seeded in samples/broken is reported, at its line and column, in one run.
    @Test func theBrokenSamplesListEverySeededError() throws {
        let expectedFile = HeraldProcess.packageRoot.appendingPathComponent("samples/broken/EXPECTED.txt")
        let expected = try String(contentsOf: expectedFile, encoding: .utf8)
            .split(separator: "\n")
            .filter { !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(expected.count >= 10)

        let output = try HeraldProcess.run(["check", "--config", "samples/broken/herald.yaml"])
        #expect(output.status == 1)
        let reported = output.lines.filter { $0.contains(": error: ") }.map { line in
            // FILE:LINE:COL: error: … → FILE:LINE:COL
            String(line[..<line.range(of: ": error: ")!.lowerBound])
        }
        #expect(reported == expected)
        #expect(output.lines.last?.hasSuffix("— \(expected.count) errors") == true)
        // The inline secret is named, never shown.
        #expect(!output.stdout.contains("EAAGnotarealtoken"))
    }

    @Test func aTypoGetsADidYouMeanAtItsPosition() throws {
        let folder = try HeraldProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
            templates:
              hello:
                default_locale: en
                text:
                  en: "Hello {name}"
            rules:
              - id: greet
                match:
                  type: [user.created]
                recipient:
                  address: $.data.phone
                channels: [sms]
                tempalte: hello
                params:
                  name: $.data.name
            """.write(to: folder.appendingPathComponent("greet.yaml"), atomically: true, encoding: .utf8)
        let output = try HeraldProcess.run(["check", "greet.yaml"], in: folder)
        #expect(output.status == 1)
        #expect(output.lines.first == "greet.yaml:13:5: error: unknown key 'tempalte' in rule 'greet'; did you mean 'template'?")
    }

    @Test func usageErrorsExitWithTwo() throws {
        let missingConfig = try HeraldProcess.run(["check", "--config", "no/such/herald.yaml"])
        #expect(missingConfig.status == 2)
        #expect(missingConfig.stderr.contains("cannot read config file 'no/such/herald.yaml'"))

        let missingPath = try HeraldProcess.run(["check", "--config", "samples/herald.yaml", "no-such-folder"])
        #expect(missingPath.status == 2)

        let unknownOption = try HeraldProcess.run(["check", "--frobnicate"])
        #expect(unknownOption.status == 2)
    }

    @Test func warningsDoNotFailTheCheck() throws {
        let folder = try HeraldProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
            templates:
              hello:
                default_locale: en
                text: {en: "Hello"}
            rules:
              - id: greet
                match: {type: [user.created]}
                recipient: {address: $.data.phone}
                channels: [sms]
                template: hello
                params:
                  unused: $.data.name
            """.write(to: folder.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        let output = try HeraldProcess.run(["check", "a.yaml"], in: folder)
        #expect(output.status == 0, "\(output.stdout)")
        #expect(output.stdout.contains("a.yaml:12:7: warning: param 'unused' of rule 'greet' is not used by template 'hello'"))
        #expect(output.lines.last?.contains("OK") == true)
    }

    /// Hostile files are refused with a clear error, quickly, without exhausting memory.
    @Test(arguments: HostileFile.allCases)
    func hostileFilesAreRefused(kind: HostileFile) throws {
        let folder = try HeraldProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try kind.bytes.write(to: folder.appendingPathComponent("hostile.yaml"))
        let output = try HeraldProcess.run(["check", "hostile.yaml"], in: folder)
        #expect(output.status == 1)
        let error = output.lines.first { $0.hasPrefix("hostile.yaml:") && $0.contains(": error: ") }
        #expect(error?.contains(kind.expectedMessage) == true, "got: \(output.stdout)")
    }

    enum HostileFile: CaseIterable, Sendable {
        case aliasBomb, deepNesting, hugeScalar, notUTF8

        var bytes: Data {
            switch self {
            case .aliasBomb:
                var lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
                for level in 1...12 {
                    let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
                    lines.append("a\(level): &a\(level) [\(refs)]")
                }
                return Data((lines.joined(separator: "\n") + "\n").utf8)
            case .deepNesting:
                return Data(("rules: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "\n").utf8)
            case .hugeScalar:
                return Data(("rules: \"" + String(repeating: "x", count: 1_000_000) + "\"\n").utf8)
            case .notUTF8:
                return Data([0x72, 0x75, 0x6C, 0x65, 0x73, 0x3A, 0x20, 0xC3, 0x28, 0x0A])
            }
        }

        var expectedMessage: String {
            switch self {
            case .aliasBomb: "alias"
            case .deepNesting: "deep"
            case .hugeScalar: "scalar"
            case .notUTF8: "UTF-8"
            }
        }
    }
}
