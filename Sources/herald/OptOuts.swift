import ArgumentParser
import Foundation
import HeraldCore
import HeraldServer
import HeraldStore

/// `herald optouts`: the suppression list, read and edited straight in the store (next to a
/// running `herald serve`, as the API does).
struct OptOuts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optouts",
        abstract: "List, add or remove recipients who opted out of messages.",
        discussion: """
            herald optouts                                  every opt-out
            herald optouts +5511912345678                   one recipient's
            herald optouts --add +5511912345678 --category marketing --reason "asked by phone"
            herald optouts --remove +5511912345678 [--category marketing]
            Addresses are normalised (+91 98765-43210 is +919876543210). Without --category, --add
            opts the recipient out of every category (fraud, service, marketing) and --remove
            removes them all. Rules honour opt-outs by category (docs/conversations.md).
            """
    )

    @Option(help: "The config file.")
    var config: String = "herald.yaml"

    @Option(help: "Opt this address out.")
    var add: String?

    @Option(help: "Opt this address back in.")
    var remove: String?

    @Option(help: "fraud, service or marketing (repeatable).")
    var category: [String] = []

    @Option(help: "Why, for the record (with --add).")
    var reason: String = "added with herald optouts"

    @Argument(help: "Show this address's opt-outs only.")
    var address: String?

    func validate() throws {
        guard [add, remove, address].compactMap({ $0 }).count <= 1 else {
            throw ValidationError("give one of ADDRESS, --add ADDRESS or --remove ADDRESS")
        }
        for name in category where RuleCategory(rawValue: name) == nil {
            throw ValidationError("--category must be fraud, service or marketing, not '\(name)'")
        }
        if remove != nil, category.count > 1 { throw ValidationError("--remove takes at most one --category") }
    }

    func run() async throws {
        let outbox = try await StoreAccess.open(configFile: config, command: "optouts")
        do {
            try await change(outbox)
        } catch {
            try? await outbox.close()
            throw error
        }
        try? await outbox.close()
    }

    private func change(_ outbox: any Outbox) async throws {
        if let add {
            let address = RecipientAddress.normalized(add)
            for name in category.isEmpty ? RuleCategory.allCases.map(\.rawValue) : category {
                try await outbox.suppress(Suppression(address: address, category: name, reason: reason, createdAt: Date()))
            }
            try await show(outbox, address: address)
        } else if let remove {
            let removed = try await outbox.unsuppress(address: RecipientAddress.normalized(remove), category: category.first)
            print("removed \(removed) opt-out\(removed == 1 ? "" : "s")")
        } else {
            try await show(outbox, address: address.map(RecipientAddress.normalized))
        }
    }

    private func show(_ outbox: Outbox, address: String?) async throws {
        let list = try await outbox.suppressions(address: address, limit: 100_000)
        let formatter = ISO8601DateFormatter()
        for entry in list {
            print("\(entry.address)  \(entry.category)  \(formatter.string(from: entry.createdAt))  \(entry.reason)")
        }
        printError("\(list.count) opt-out\(list.count == 1 ? "" : "s")")
    }
}
