import ArgumentParser
import HeraldDelivery

@main
struct Herald: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "herald",
        abstract: "A notification gateway for banks and airlines."
    )
    func run() throws {
        print(LibCurl.version)
    }
}
