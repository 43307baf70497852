import ArgumentParser
import HeraldConfig
import HeraldCore
import HeraldDelivery
import Foundation
import Hummingbird
import ServiceLifecycle
import Synchronization

/// `herald sink`: a local stand-in for the WhatsApp Cloud API, Twilio and webhook receivers.
/// It answers as they would, prints each message as the customer would see it, and fails on
/// purpose when asked to, so the demo and the tests can watch retries and failover.
struct Sink: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Receive messages locally, like WhatsApp, Twilio and webhooks would, and print them.",
        discussion: """
            POST …/messages is answered like the WhatsApp Cloud API (Bearer token required), \
            POST /2010-04-01/Accounts/SID/Messages.json like Twilio (Basic auth required), and any other \
            POST like a webhook receiver ({"ok":true}). Each message is printed on stdout with the phone \
            number masked; refused and failed requests are noted on stderr. \
            With --status alone every request fails with that status; with --fail-rate that fraction does \
            (default status 500). Prints 'listening on http://HOST:PORT' on stderr once ready \
            (port 0 picks a free port). Stops on SIGINT or SIGTERM.

            With --smtp-listen HOST:PORT it also takes e-mail like an SMTP server: plain text, no STARTTLS \
            (set 'insecure: true' on the smtp endpoint), AUTH PLAIN and LOGIN with any credentials, messages \
            up to 1 MiB. Each one is printed as 'email → r•••@example.com: Subject — body', subject and \
            text decoded, and prints 'smtp listening on HOST:PORT' on stderr once ready. Faults apply at \
            the end of DATA: a --status of 429 or 5xx is answered '451 4.3.0' (transient, the sender \
            retries), any other 4xx '550 5.1.1' (permanent); --delay holds the answer to DATA; \
            --retry-after has no SMTP counterpart.

            With --reply-to URL (Herald's base URL, such as http://127.0.0.1:8080) it also plays the customer: \
            --answer-delay after a message arrives (default 300ms), it answers by posting to Herald's \
            /v1/webhooks/whatsapp or /v1/webhooks/twilio as the provider would, signed. --tap BUTTON-ID \
            taps the button whose reply reference is 'BUTTON-ID:…' on a WhatsApp interactive message (a \
            button_reply) or template (a quick reply), quoting the message's wamid as context.id. \
            --type TEXT types TEXT: on WhatsApp messages without that button, and on SMS, which have no \
            buttons. Webhooks, e-mail, messages with nothing to tap or type and Herald's answers to \
            answers (not_understood) are not answered; each delivery is answered once, each number at \
            most 20 times. The secrets come from the \
            environment, never the command line: the WhatsApp app secret from the variable named by \
            --app-secret-env (default WHATSAPP_APP_SECRET), the Twilio auth token from --twilio-token-env \
            (default TWILIO_AUTH_TOKEN). Each answer prints a line on stdout, such as \
            "customer +91•••••••210 tapped 'block' → 200" (a JSON object with --json); an answer Herald \
            refused, or that could not be sent, is noted on stderr with the status and the problem's detail.
            """
    )

    @Option(help: "The address to listen on, HOST:PORT (port 0 picks a free port).")
    var listen: String = "127.0.0.1:8025"

    @Option(name: .customLong("smtp-listen"), help: "Also take e-mail over SMTP on HOST:PORT (port 0 picks a free port).")
    var smtpListen: String?

    @Option(name: .customLong("fail-rate"), help: "Fail this fraction of requests, 0 to 1.")
    var failRate: Double?

    @Option(help: "The HTTP status of failed requests (default 500; alone, fails every request).")
    var status: Int?

    @Option(name: .customLong("retry-after"), help: "Send Retry-After: SECONDS with failed requests.")
    var retryAfter: Int?

    @Option(help: "Wait this long before every answer: 200ms, 2s.")
    var delay: String?

    @Option(help: "Seed for --fail-rate, so the same requests fail on every run.")
    var seed: UInt64?

    @Flag(help: "Print one JSON object per message instead of text.")
    var json = false

    @Option(name: .customLong("reply-to"), help: "Answer messages like a customer, posting to this Herald's webhooks (http://HOST:PORT).")
    var replyTo: String?

    @Option(help: ArgumentHelp("Tap the button with this id on WhatsApp messages that have one.", valueName: "button-id"))
    var tap: String?

    @Option(help: ArgumentHelp("Type this text as the answer (WhatsApp text or SMS).", valueName: "text"))
    var type: String?

    @Option(name: .customLong("answer-delay"), help: "How long after a message the customer answers: 300ms, 2s.")
    var answerDelay: String = "300ms"

    @Option(name: .customLong("app-secret-env"), help: ArgumentHelp("The environment variable holding the WhatsApp app secret.", valueName: "name"))
    var appSecretEnv: String = "WHATSAPP_APP_SECRET"

    @Option(name: .customLong("twilio-token-env"), help: ArgumentHelp("The environment variable holding the Twilio auth token.", valueName: "name"))
    var twilioTokenEnv: String = "TWILIO_AUTH_TOKEN"

    func validate() throws {
        guard Sink.address(listen) != nil else { throw ValidationError("--listen must be HOST:PORT, such as 127.0.0.1:8025") }
        if let smtpListen, Sink.address(smtpListen) == nil {
            throw ValidationError("--smtp-listen must be HOST:PORT, such as 127.0.0.1:2525")
        }
        if let failRate, !(0...1).contains(failRate) { throw ValidationError("--fail-rate must be between 0 and 1") }
        if let status, !(400...599).contains(status) { throw ValidationError("--status must be an HTTP error status, 400 to 599") }
        if let retryAfter, retryAfter < 0 { throw ValidationError("--retry-after must be 0 or more seconds") }
        if retryAfter != nil, failRate == nil, status == nil {
            throw ValidationError("--retry-after needs --status or --fail-rate: it is sent with failed requests")
        }
        if let delay, GatewayConfigDecoder.duration(delay) == nil { throw ValidationError("--delay must be a duration such as 200ms or 2s") }
        try validateCustomer()
    }

    func validateCustomer() throws {
        guard let replyTo else {
            if tap != nil || type != nil { throw ValidationError("--tap and --type need --reply-to: the URL of the Herald to answer") }
            return
        }
        guard SinkCustomer.baseURL(replyTo) != nil else {
            throw ValidationError("--reply-to must be Herald's base URL, such as http://127.0.0.1:8080")
        }
        guard tap != nil || type != nil else { throw ValidationError("--reply-to needs --tap BUTTON-ID or --type TEXT: what the customer answers") }
        if let tap, ReplyReference.decode(tap + ":x")?.button != tap {
            throw ValidationError("--tap must be a button id: letters, digits, '.', '_' and '-'")
        }
        if let type, type.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw ValidationError("--type must not be empty") }
        if GatewayConfigDecoder.duration(answerDelay) == nil { throw ValidationError("--answer-delay must be a duration such as 300ms or 2s") }
        for (option, name) in [("--app-secret-env", appSecretEnv), ("--twilio-token-env", twilioTokenEnv)] where name.isEmpty || name.contains("=") {
            throw ValidationError("\(option) must name an environment variable")
        }
    }

    /// The customer to play, with its secrets from the environment; nil without --reply-to.
    var customer: SinkCustomer? {
        guard let replyTo, let base = SinkCustomer.baseURL(replyTo) else { return nil }
        let environment = ProcessInfo.processInfo.environment
        func secret(_ name: String) -> SinkCustomer.Secret {
            environment[name].flatMap { $0.isEmpty ? nil : SinkCustomer.Secret.value($0) } ?? .missing(variable: name)
        }
        return SinkCustomer(heraldURL: base, tap: tap, type: type, appSecret: secret(appSecretEnv), twilioToken: secret(twilioTokenEnv))
    }

    var faults: SinkFaults {
        guard failRate != nil || status != nil else { return .none }
        return SinkFaults(rate: failRate ?? 1, status: status ?? 500, retryAfter: retryAfter)
    }

    func run() async throws {
        guard let (host, port) = Sink.address(listen) else { throw ExitStatus.usage }
        let state = Mutex(SinkState(generator: SeededGenerator(seed: seed ?? UInt64.random(in: .min ... .max))))
        let faults = self.faults
        let delay = self.delay.flatMap { GatewayConfigDecoder.duration($0) }
        let json = self.json
        let customer = self.customer
        let answers = customer.map { _ in
            CustomerAnswers(delay: GatewayConfigDecoder.duration(answerDelay) ?? .milliseconds(300), json: json)
        }
        /// Writes what a customer received and why a request failed. Called under the lock so that
        /// blocks from concurrent requests never interleave, and unbuffered so that a reader sees each
        /// one before the sender gets its answer.
        @Sendable func show(_ received: [ReceivedMessage], note: String?) {
            for var message in received {
                message.receivedAt = Date()
                FileHandle.standardOutput.write(Data(((json ? message.jsonLine : message.block) + "\n").utf8))
            }
            if let note { FileHandle.standardError.write(Data("herald sink: \(note)\n".utf8)) }
        }
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            if let delay { try await Task.sleep(for: delay) }
            var headers: [String: String] = [:]
            for field in request.headers {
                let name = field.name.canonicalName
                headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
            }
            let body = try await request.body.collect(upTo: 1 << 20)
            let exchange = SinkRequest(method: request.method.rawValue, path: request.uri.path,
                                       headers: headers, body: Array(body.readableBytesView))
            let (reply, answer) = state.withLock { state in
                state.sequence += 1
                let reply = SinkExchange.answer(exchange, sequence: state.sequence,
                                                failure: faults.failure(draw: state.generator.draw()),
                                                retryAfter: faults.retryAfter)
                show(reply.received.map { [$0] } ?? [], note: reply.note)
                return (reply, customer.flatMap { state.answer(exchange, reply: reply, as: $0) })
            }
            if let answer { answers?.send(answer) }
            var fields = HTTPFields()
            fields[.contentType] = "application/json"
            if let retryAfter = reply.retryAfter { fields[.retryAfter] = String(retryAfter) }
            if reply.status == 405 { fields[.allow] = "POST" }
            return Response(status: .init(code: reply.status), headers: fields,
                            body: ResponseBody(byteBuffer: ByteBuffer(string: reply.body)))
        }
        var services: [any Service] = []
        if let smtpListen, let (smtpHost, smtpPort) = Sink.address(smtpListen) {
            // Requests and e-mails share one count and one fault generator: --seed decides for the
            // n-th of them, whichever way it arrives.
            let listener = try await SMTPListener(host: smtpHost, port: smtpPort, limits: SMTPSession.Limits(), delay: delay) { mail in
                state.withLock { state in
                    state.sequence += 1
                    let answer = SinkExchange.answer(mail: mail, sequence: state.sequence,
                                                     failure: faults.failure(draw: state.generator.draw()))
                    show(answer.received, note: answer.note)
                    return answer.reply
                }
            }
            FileHandle.standardError.write(Data("smtp listening on \(smtpHost):\(listener.port ?? smtpPort)\n".utf8))
            services.append(listener)
        }
        // Hummingbird's own start-up lines would crowd the one line callers read; LOG_LEVEL still wins.
        setenv("LOG_LEVEL", "warning", 0)
        let app = Application(
            responder: responder,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "herald-sink"),
            services: services,
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                FileHandle.standardError.write(Data("listening on http://\(host):\(bound)\n".utf8))
            }
        )
        try await app.runService()
        answers?.shutdown()
    }

    /// `127.0.0.1:8025` → ("127.0.0.1", 8025).
    static func address(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        let host = String(text[..<colon])
        return host.isEmpty ? nil : (host, port)
    }
}

/// What the sink remembers between requests.
struct SinkState: Sendable {
    var sequence = 0
    var generator: SeededGenerator
    /// The deliveries (or provider ids) the customer has answered: a resent message is answered once.
    var answered: Set<String> = []
    /// How many answers each number has given (see ``SinkCustomer/answersPerRecipient``).
    var answers: [String: Int] = [:]

    /// What `customer` says to the message `reply` took in, if anything, and remembers it.
    mutating func answer(_ request: SinkRequest, reply: SinkReply, as customer: SinkCustomer) -> CustomerAnswer? {
        guard (200..<300).contains(reply.status), let received = reply.received else { return nil }
        // Herald's own answer to an answer (`not_understood`, delivery `…/answer/REPLY-ID`) closes the
        // exchange: answering it again would only start another round.
        if received.deliveryID?.contains("/answer/") == true { return nil }
        let replyID = received.kind == .sms ? SinkCustomer.freshID("SM", digits: 32) : SinkCustomer.freshID("wamid.REPLY")
        guard let answer = customer.answer(request, received: received, replyID: replyID, now: Date()) else { return nil }
        let key = received.deliveryID ?? received.providerID ?? "#\(sequence)"
        let number = WhatsAppRequestBuilder.recipient(answer.customer) ?? answer.customer
        guard !answered.contains(key), answers[number, default: 0] < SinkCustomer.answersPerRecipient else { return nil }
        answered.insert(key)
        answers[number, default: 0] += 1
        return answer
    }
}
