import Foundation

/// One SMTP conversation, server side, as a pure state machine: each line the client sends goes
/// in, the replies to write come out. No sockets, clocks or shared state; the listener carries the
/// actions out and decides how to answer each complete message (``Action/accept(_:)``).
///
/// A plain-text subset of RFC 5321 with AUTH (RFC 4954): `EHLO`/`HELO`, `AUTH PLAIN` and
/// `AUTH LOGIN` (any credentials: only the user name is kept), `MAIL FROM` (with `SIZE=`), `RCPT TO`
/// (up to ``Limits/maximumRecipients``), `DATA` (dot-unstuffed), `RSET`, `NOOP`, `QUIT`. `STARTTLS`,
/// `VRFY`, `EXPN`, `HELP`, `BDAT`, `ETRN` and `TURN` are known but not implemented (502); anything
/// else is not recognised (500). Limits keep memory bounded whatever a client sends.
struct SMTPSession: Sendable {
    /// How much one client may send.
    struct Limits: Sendable {
        /// Longest line, CRLF excluded. RFC 5321 allows 1000 octets with CRLF; some generous room
        /// for sloppy clients, and none for a client that never sends a line break.
        var maximumLineLength = 4096
        /// Largest message, after dot-unstuffing; advertised as `SIZE`.
        var maximumMessageSize = 1 << 20
        var maximumRecipients = 100
        /// Bad commands in a row before the server hangs up (421).
        var maximumErrors = 20
    }

    /// What a line from the client asks the listener to do.
    enum Action: Sendable, Equatable {
        case reply(SMTPReply)
        /// A complete message: the listener answers it (250, or an injected failure).
        case accept(MailTransaction)
        /// Close the connection, after the replies before this one.
        case close
    }

    /// One message as it arrived: envelope, data and who logged in.
    struct MailTransaction: Sendable, Equatable {
        /// The `MAIL FROM` address; empty for the null sender `<>`.
        var from: String
        var recipients: [String]
        /// The message with CRLF line ends, dot-unstuffed, without the final `.` line.
        var data: [UInt8]
        /// The user name given to `AUTH`, if any.
        var login: String?
    }

    /// What the next line is.
    private enum Phase: Sendable {
        case command
        /// Message text, until a line with a single dot.
        case data
        /// The response to `AUTH PLAIN` without an initial response.
        case authPlain
        case authLoginUsername
        case authLoginPassword(username: String)
    }

    /// The name the server gives itself in replies.
    static let domain = "herald-sink"
    /// The first thing the server says.
    static let greeting = SMTPReply(220, "\(domain) ESMTP herald sink: a stand-in, no mail leaves this machine")

    let limits: Limits
    private var phase = Phase.command
    private var greeted = false
    private var login: String?
    /// Set by `MAIL FROM`: a transaction is open.
    private var from: String?
    private var recipients: [String] = []
    private var data: [UInt8] = []
    /// Why the message being received will be refused at its end, once known.
    private var dataProblem: SMTPReply?
    private var errors = 0

    init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// The actions for one line, its CRLF (or LF) removed.
    mutating func receive(_ line: [UInt8]) -> [Action] {
        switch phase {
        case .data: return dataLine(line)
        case .authPlain: return authPlain(response: line)
        case .authLoginUsername: return authLoginUsername(response: line)
        case .authLoginPassword(let username): return authLoginPassword(response: line, username: username)
        case .command: return command(line)
        }
    }

    /// The actions for a line longer than ``Limits/maximumLineLength``, whose bytes were dropped.
    mutating func receiveOverlongLine() -> [Action] {
        switch phase {
        case .data:
            dataProblem = dataProblem ?? SMTPReply(500, "5.5.2 Line too long: at most \(limits.maximumLineLength) bytes; message refused")
            data = []
            return []
        case .authPlain, .authLoginUsername, .authLoginPassword:
            phase = .command
            return error(SMTPReply(500, "5.5.2 Line too long; authentication cancelled"))
        case .command:
            return error(SMTPReply(500, "5.5.2 Line too long: at most \(limits.maximumLineLength) bytes"))
        }
    }

    // MARK: - Commands

    private mutating func command(_ line: [UInt8]) -> [Action] {
        let text = String(decoding: line, as: UTF8.self)
        let word = text.prefix { $0 != " " }
        let verb = word.uppercased()
        let argument = text[word.endIndex...].trimmingCharacters(in: .whitespaces)
        switch verb {
        case "EHLO", "HELO":
            guard !argument.isEmpty else { return error(SMTPReply(501, "5.5.4 Syntax: \(verb) your.domain")) }
            resetTransaction()
            greeted = true
            errors = 0
            guard verb == "EHLO" else { return [.reply(SMTPReply(250, "\(Self.domain) greets \(argument)"))] }
            return [.reply(SMTPReply(250, "\(Self.domain) greets \(argument)", "8BITMIME", "SIZE \(limits.maximumMessageSize)",
                                     "AUTH PLAIN LOGIN", "ENHANCEDSTATUSCODES"))]
        case "AUTH":
            return auth(argument)
        case "MAIL":
            return mail(argument)
        case "RCPT":
            return rcpt(argument)
        case "DATA":
            guard from != nil else { return error(SMTPReply(503, "5.5.1 Send MAIL FROM first")) }
            guard !recipients.isEmpty else { return error(SMTPReply(503, "5.5.1 Send RCPT TO first")) }
            phase = .data
            data = []
            dataProblem = nil
            return [.reply(SMTPReply(354, "End data with <CR><LF>.<CR><LF>"))]
        case "RSET":
            resetTransaction()
            return [.reply(SMTPReply(250, "2.0.0 OK"))]
        case "NOOP":
            return [.reply(SMTPReply(250, "2.0.0 OK"))]
        case "QUIT":
            return [.reply(SMTPReply(221, "2.0.0 \(Self.domain) closing connection")), .close]
        case "STARTTLS", "VRFY", "EXPN", "HELP", "BDAT", "ETRN", "TURN":
            return error(SMTPReply(502, "5.5.1 \(verb) is not implemented by herald sink"))
        default:
            return error(SMTPReply(500, "5.5.2 Command not recognized"))
        }
    }

    private mutating func auth(_ argument: String) -> [Action] {
        guard greeted else { return error(SMTPReply(503, "5.5.1 Send EHLO first")) }
        guard login == nil else { return error(SMTPReply(503, "5.5.1 Already authenticated")) }
        guard from == nil else { return error(SMTPReply(503, "5.5.1 AUTH is not allowed during a mail transaction")) }
        let words = argument.split(separator: " ", omittingEmptySubsequences: true)
        guard let mechanism = words.first?.uppercased(), words.count <= 2 else {
            return error(SMTPReply(501, "5.5.4 Syntax: AUTH PLAIN|LOGIN [initial-response]"))
        }
        let initial = words.count == 2 ? Array(words[1].utf8) : nil
        switch mechanism {
        case "PLAIN":
            guard let initial else {
                phase = .authPlain
                return [.reply(SMTPReply(334, ""))]
            }
            return authPlain(response: initial)
        case "LOGIN":
            guard let initial else {
                phase = .authLoginUsername
                return [.reply(SMTPReply(334, Self.base64("Username:")))]
            }
            return authLoginUsername(response: initial)
        default:
            return error(SMTPReply(504, "5.5.4 Unrecognized authentication type; use PLAIN or LOGIN"))
        }
    }

    /// `authzid NUL authcid NUL password` in Base64 (RFC 4616); any password is accepted, none is kept.
    private mutating func authPlain(response: [UInt8]) -> [Action] {
        phase = .command
        if response == Array("*".utf8) { return error(SMTPReply(501, "5.0.0 Authentication cancelled")) }
        guard let decoded = Self.decodeBase64(response) else { return error(SMTPReply(501, "5.5.2 Cannot decode the AUTH PLAIN response")) }
        let parts = decoded.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[1].isEmpty else { return error(SMTPReply(501, "5.5.2 AUTH PLAIN needs authzid NUL user NUL password")) }
        return authenticated(String(decoding: parts[1], as: UTF8.self))
    }

    private mutating func authLoginUsername(response: [UInt8]) -> [Action] {
        phase = .command
        if response == Array("*".utf8) { return error(SMTPReply(501, "5.0.0 Authentication cancelled")) }
        guard let decoded = Self.decodeBase64(response), !decoded.isEmpty else {
            return error(SMTPReply(501, "5.5.2 Cannot decode the user name"))
        }
        phase = .authLoginPassword(username: String(decoding: decoded, as: UTF8.self))
        return [.reply(SMTPReply(334, Self.base64("Password:")))]
    }

    private mutating func authLoginPassword(response: [UInt8], username: String) -> [Action] {
        phase = .command
        if response == Array("*".utf8) { return error(SMTPReply(501, "5.0.0 Authentication cancelled")) }
        guard Self.decodeBase64(response) != nil else { return error(SMTPReply(501, "5.5.2 Cannot decode the password")) }
        return authenticated(username)
    }

    private mutating func authenticated(_ username: String) -> [Action] {
        // Control characters would let a user name forge lines in the sink's output.
        login = String(String.UnicodeScalarView(username.unicodeScalars.filter { $0.properties.generalCategory != .control }))
        errors = 0
        return [.reply(SMTPReply(235, "2.7.0 Authentication successful"))]
    }

    private mutating func mail(_ argument: String) -> [Action] {
        guard greeted else { return error(SMTPReply(503, "5.5.1 Send EHLO first")) }
        guard from == nil else { return error(SMTPReply(503, "5.5.1 Nested MAIL command; RSET first")) }
        guard let (address, parameters) = Self.path(argument, keyword: "FROM:") else {
            return error(SMTPReply(501, "5.5.4 Syntax: MAIL FROM:<address> [SIZE=n] [BODY=8BITMIME]"))
        }
        for parameter in parameters {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.first?.uppercased() == "SIZE" else { continue }
            guard pair.count == 2, let size = Int(pair[1]), size >= 0 else { return error(SMTPReply(501, "5.5.4 SIZE needs a number of bytes")) }
            if size > limits.maximumMessageSize {
                return error(SMTPReply(552, "5.3.4 Message size exceeds fixed limit of \(limits.maximumMessageSize) bytes"))
            }
        }
        from = address
        errors = 0
        return [.reply(SMTPReply(250, "2.1.0 OK"))]
    }

    private mutating func rcpt(_ argument: String) -> [Action] {
        guard from != nil else { return error(SMTPReply(503, "5.5.1 Send MAIL FROM first")) }
        guard let (address, _) = Self.path(argument, keyword: "TO:"), !address.isEmpty else {
            return error(SMTPReply(501, "5.5.4 Syntax: RCPT TO:<address>"))
        }
        guard recipients.count < limits.maximumRecipients else { return [.reply(SMTPReply(452, "4.5.3 Too many recipients"))] }
        recipients.append(address)
        errors = 0
        return [.reply(SMTPReply(250, "2.1.5 OK"))]
    }

    // MARK: - Message text

    private mutating func dataLine(_ line: [UInt8]) -> [Action] {
        if line == [UInt8(ascii: ".")] {
            defer { resetTransaction() }
            phase = .command
            if let dataProblem { return [.reply(dataProblem)] }
            return [.accept(MailTransaction(from: from ?? "", recipients: recipients, data: data, login: login))]
        }
        guard dataProblem == nil else { return [] }
        // Dot-unstuffing (RFC 5321 §4.5.2): the client doubled every leading dot.
        let content = line.first == UInt8(ascii: ".") ? line.dropFirst() : line[...]
        if data.count + content.count + 2 > limits.maximumMessageSize {
            dataProblem = SMTPReply(552, "5.3.4 Message size exceeds fixed limit of \(limits.maximumMessageSize) bytes")
            data = []
            return []
        }
        data += content
        data += [0x0D, 0x0A]
        return []
    }

    // MARK: - Helpers

    private mutating func resetTransaction() {
        from = nil
        recipients = []
        data = []
        dataProblem = nil
    }

    /// `reply`, counted as an error; too many in a row and the server hangs up.
    private mutating func error(_ reply: SMTPReply) -> [Action] {
        errors += 1
        guard errors < limits.maximumErrors else {
            return [.reply(SMTPReply(421, "4.7.0 \(Self.domain): too many errors, closing connection")), .close]
        }
        return [.reply(reply)]
    }

    /// `FROM:<a@b.example> SIZE=10` → ("a@b.example", ["SIZE=10"]). A space after the colon and a
    /// missing pair of angle brackets are tolerated, as most servers do.
    static func path(_ argument: String, keyword: String) -> (String, [String])? {
        guard argument.prefix(keyword.count).uppercased() == keyword else { return nil }
        let rest = argument.dropFirst(keyword.count).trimmingCharacters(in: .whitespaces)
        let address: String
        let tail: Substring
        if rest.hasPrefix("<") {
            guard let close = rest.firstIndex(of: ">") else { return nil }
            address = String(rest[rest.index(after: rest.startIndex)..<close])
            tail = rest[rest.index(after: close)...]
        } else {
            let word = rest.prefix { $0 != " " }
            address = String(word)
            tail = rest[word.endIndex...]
        }
        guard !address.contains(" "), !address.contains("<") else { return nil }
        return (address, tail.split(separator: " ").map(String.init))
    }

    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    /// Strict Base64 (`=` alone is the empty response, RFC 4954 §4); nil when it does not decode.
    static func decodeBase64(_ bytes: [UInt8]) -> [UInt8]? {
        if bytes == [UInt8(ascii: "=")] { return [] }
        return Data(base64Encoded: Data(bytes)).map { Array($0) }
    }
}
