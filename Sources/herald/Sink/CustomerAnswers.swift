import Foundation
import HeraldCore
import HeraldDelivery

/// Sends the customer's answers to Herald and prints how each went: the one part of playing the
/// customer that touches the network and the terminal.
///
/// Each answer goes from its own task, `delay` after it was decided, so the request that brought the
/// message has long been answered and nothing in the sink waits for Herald. It leaves through
/// libcurl, as Herald's own requests do.
final class CustomerAnswers: Sendable {
    let delay: Duration
    let json: Bool
    private let transport = CurlTransport(maxIdleConnections: 4)
    private let settings = TransportSettings(connectTimeout: .seconds(5), timeout: .seconds(15))

    init(delay: Duration, json: Bool) {
        self.delay = delay
        self.json = json
    }

    /// Sends `answer` later; returns at once.
    func send(_ answer: CustomerAnswer) {
        Task.detached { [self] in
            try? await Task.sleep(for: delay)
            guard let request = answer.request else {
                return note("\(answer.summary): \(answer.problem ?? "not sent")")
            }
            switch await transport.send(request, settings: settings) {
            case .success(let response) where (200..<300).contains(response.status):
                let line = json ? answer.jsonLine(status: response.status) : answer.line(status: response.status)
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            case .success(let response):
                note(answer.failure(status: response.status, body: response.body))
            case .failure(let failure):
                note("\(answer.summary) → \(failure)")
            }
        }
    }

    /// Stops sending: answers still waiting fail (and are noted) instead of holding the sink up.
    func shutdown() {
        transport.shutdown()
    }

    // One write per line, so that lines from concurrent answers and messages never mix.
    private func note(_ text: String) {
        FileHandle.standardError.write(Data("herald sink: \(text)\n".utf8))
    }
}
