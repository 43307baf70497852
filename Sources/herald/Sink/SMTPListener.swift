import Foundation
import NIOCore
import NIOPosix
import ServiceLifecycle

/// `herald sink --smtp-listen`: a plain-text SMTP server that takes every message and hands it to
/// `answer`, in the sink's service group beside the HTTP server.
///
/// SwiftNIO reads and writes; each connection is one task that feeds its lines to an
/// ``SMTPSession`` and writes what it answers, so replies keep their order, `--delay` holds up
/// only its own connection, and nothing blocks Swift's cooperative pool.
struct SMTPListener: Service {
    /// The listening socket; each connection comes out of it as lines in, bytes out.
    private let server: NIOAsyncChannel<NIOAsyncChannel<SMTPLine, ByteBuffer>, Never>
    let limits: SMTPSession.Limits
    /// Waited before answering the end of each message's `DATA`.
    let delay: Duration?
    /// Decides the reply to a complete message (and prints it); called once per message.
    let answer: @Sendable (SMTPSession.MailTransaction) -> SMTPReply

    /// The connection could not be opened.
    struct ListenError: Error, CustomStringConvertible {
        var address: String
        var reason: String
        var description: String { "cannot listen for SMTP on \(address): \(reason)" }
    }

    /// Listens on `host:port` (port 0 picks a free one) before anything else starts, so that a
    /// port in use stops the sink with a clear error; connections wait in the backlog until `run()`.
    init(host: String, port: Int, limits: SMTPSession.Limits, delay: Duration?,
         answer: @escaping @Sendable (SMTPSession.MailTransaction) -> SMTPReply) async throws {
        do {
            server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPLineDecoder(maximumLength: limits.maximumLineLength)))
                        return try NIOAsyncChannel<SMTPLine, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw ListenError(address: "\(host):\(port)", reason: "\(error)")
        }
        self.limits = limits
        self.delay = delay
        self.answer = answer
    }

    /// The port listened on: the one asked for, or the one picked for port 0.
    var port: Int? { server.channel.localAddress?.port }

    func run() async throws {
        // Open conversations end with the service: a stand-in owes no client a graceful goodbye.
        do {
            try await cancelWhenGracefulShutdown {
                try await server.executeThenClose { connections in
                    try await withThrowingDiscardingTaskGroup { group in
                        for try await connection in connections {
                            group.addTask { await serve(connection) }
                        }
                    }
                }
            }
        } catch is CancellationError {
            // SIGINT or SIGTERM: stopping is what was asked for, not a failure.
        }
    }

    /// One client, from the greeting to `QUIT` or a closed connection.
    private func serve(_ connection: NIOAsyncChannel<SMTPLine, ByteBuffer>) async {
        do {
            try await connection.executeThenClose { lines, replies in
                var session = SMTPSession(limits: limits)
                try await replies.write(ByteBuffer(string: SMTPSession.greeting.wire))
                for try await line in lines {
                    let actions: [SMTPSession.Action]
                    switch line {
                    case .line(let bytes): actions = session.receive(bytes)
                    case .tooLong: actions = session.receiveOverlongLine()
                    }
                    for action in actions {
                        switch action {
                        case .reply(let reply):
                            try await replies.write(ByteBuffer(string: reply.wire))
                        case .accept(let mail):
                            if let delay { try await Task.sleep(for: delay) }
                            try await replies.write(ByteBuffer(string: answer(mail).wire))
                        case .close:
                            return
                        }
                    }
                }
            }
        } catch {
            // The client went away or the sink is stopping: nothing to answer, nobody to tell.
        }
    }
}
