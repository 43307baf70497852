import Foundation
import HeraldCore
import Testing

@testable import HeraldDelivery

@Suite struct SecretStoreTests {
    /// A fresh folder under the system's temporary directory, removed when the test ends.
    final class Folder {
        let path: String
        init() throws {
            path = NSTemporaryDirectory() + "herald-secrets-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
        func write(_ name: String, _ bytes: [UInt8]) throws -> String {
            let file = path + "/" + name
            try Data(bytes).write(to: URL(fileURLWithPath: file))
            return file
        }
    }

    func failure(_ store: SecretStore, _ reference: SecretReference) -> SecretError? {
        do {
            _ = try store.resolve(reference)
            return nil
        } catch {
            return error
        }
    }

    @Test func readsEnvironmentVariables() throws {
        let store = SecretStore(environment: ["WHATSAPP_TOKEN": "EAAG-abc", "EMPTY": ""])
        #expect(try store.resolve(.environment("WHATSAPP_TOKEN")) == "EAAG-abc")
        #expect(failure(store, .environment("MISSING")) == SecretError(reference: .environment("MISSING"), reason: .notSet))
        #expect(failure(store, .environment("MISSING"))?.description == "secret env:MISSING: the environment variable is not set")
        #expect(failure(store, .environment("EMPTY"))?.reason == .empty)
    }

    @Test func readsFilesTrimmingOneTrailingNewline() throws {
        let folder = try Folder()
        let store = SecretStore(environment: [:])
        let cases: [(String, String)] = [("tok\n", "tok"), ("tok\r\n", "tok"), ("tok", "tok"), ("tok\n\n", "tok\n"), ("  tok \n", "  tok "), ("टोकन\n", "टोकन")]
        for (index, (content, expected)) in cases.enumerated() {
            let path = try folder.write("s\(index)", Array(content.utf8))
            #expect(try store.resolve(.file(path)) == expected)
        }
    }

    @Test func fileErrorsNameTheReferenceAndNeverTheContent() throws {
        let folder = try Folder()
        let store = SecretStore(environment: [:])
        let missing = folder.path + "/nope"
        #expect(failure(store, .file(missing))?.description == "secret file:\(missing) cannot be read: no such file")
        #expect(failure(store, .file(folder.path))?.reason == .unreadable("it is a directory"))
        #expect(failure(store, .file(try folder.write("empty", Array("\n".utf8))))?.reason == .empty)

        let large = try folder.write("large", Array(String(repeating: "supersecret", count: 7000).utf8))
        let largeError = failure(store, .file(large))
        #expect(largeError?.reason == .unreadable("larger than 64 KiB"))
        #expect(largeError?.description.contains("supersecret") == false)

        let binary = try folder.write("binary", [0x73, 0x65, 0x63, 0xFF, 0xFE])
        #expect(failure(store, .file(binary))?.reason == .unreadable("not UTF-8 text"))
    }

    @Test func resolvesEveryReferenceOfAnEndpoint() throws {
        let folder = try Folder()
        let signing = try folder.write("signing", Array("whsec_1\n".utf8))
        let endpoint = Endpoint(
            name: "hook", kind: .webhook, url: "https://hooks.example/h", token: .environment("HOOK_TOKEN"),
            delivery: DeliverySettings(headers: [
                .init(name: "X-Bank", value: .literal("aurora")),
                .init(name: "X-Api-Key", value: .secret(.environment("API_KEY"))),
            ], signingSecret: .file(signing)))
        let secrets = try EndpointSecrets(resolving: endpoint, with: SecretStore(environment: ["HOOK_TOKEN": "tkn", "API_KEY": "key-1"]))
        #expect(secrets == EndpointSecrets(token: "tkn", signingSecret: "whsec_1", headers: [
            .init(name: "X-Bank", value: "aurora", isSecret: false), .init(name: "X-Api-Key", value: "key-1", isSecret: true),
        ]))
        #expect(Set(secrets.secretValues) == ["tkn", "whsec_1", "key-1"])
        #expect(secrets.secretHeaderNames == ["x-api-key"])

        #expect(throws: SecretError(reference: .environment("API_KEY"), reason: .notSet)) {
            try EndpointSecrets(resolving: endpoint, with: SecretStore(environment: ["HOOK_TOKEN": "tkn"]))
        }
    }
}
