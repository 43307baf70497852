import NIOCore

/// A line from an SMTP client, or the news that one was too long and dropped.
enum SMTPLine: Sendable, Equatable {
    /// The line without its CRLF (a bare LF ends a line too).
    case line([UInt8])
    /// A line longer than the limit: its bytes were discarded up to and including its line break,
    /// so a client that never sends one cannot make the buffer grow.
    case tooLong
}

/// Splits the bytes from an SMTP client into ``SMTPLine``s, holding at most `maximumLength`
/// bytes of an unfinished line.
struct SMTPLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPLine

    let maximumLength: Int
    /// Inside an over-long line, already reported: drop bytes until its end.
    private var discarding = false

    init(maximumLength: Int) {
        self.maximumLength = maximumLength
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: 0x0A) else {
            if buffer.readableBytes > maximumLength {
                if !discarding { context.fireChannelRead(wrapInboundOut(.tooLong)) }
                discarding = true
                buffer.moveReaderIndex(to: buffer.writerIndex)
            }
            return .needMoreData
        }
        let length = newline - view.startIndex
        defer { buffer.moveReaderIndex(forwardBy: length + 1) }
        if discarding {
            discarding = false
            return .continue
        }
        var line = Array(view[view.startIndex..<newline])
        if line.last == 0x0D { line.removeLast() }
        context.fireChannelRead(wrapInboundOut(line.count > maximumLength ? .tooLong : .line(line)))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // An unfinished last line is no command: the client is gone.
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }
}
