import Foundation
import HeraldCore
import Hummingbird
import Metrics

/// The routes providers post back to. They need no API key: each request is verified with the
/// provider's own signature before anything in it is read.
///
/// | Route | What |
/// |---|---|
/// | `GET /v1/webhooks/whatsapp` | Meta's subscription handshake (`hub.challenge` for the `verify_token`) |
/// | `POST /v1/webhooks/whatsapp` | replies and statuses, `X-Hub-Signature-256` with the `app_secret` |
/// | `POST /v1/webhooks/twilio` | inbound SMS and status callbacks, `X-Twilio-Signature` with the auth token |
extension GatewayAPI {
    /// The most a provider webhook may carry.
    static let maxWebhookBytes = 1 << 20

    func addWebhookRoutes(to router: Router<BasicRequestContext>) {
        router.get("/v1/webhooks/whatsapp") { request, _ in
            let query = request.uri.query ?? ""
            let tokens = self.gateway.snapshot.inbound.values.compactMap { secrets -> String? in
                guard secrets.kind == .whatsapp, case .success(let token)? = secrets.verifyToken else { return nil }
                return token
            }
            guard !tokens.isEmpty else {
                throw Problem("handshake-refused", title: "The webhook subscription was refused", status: 403,
                              detail: "no whatsapp endpoint has a readable 'verify_token'; add 'verify_token: env:…' to it in herald.yaml")
            }
            var last = WhatsAppHandshake.answer(query: query, verifyToken: tokens[0])
            for token in tokens {
                last = WhatsAppHandshake.answer(query: query, verifyToken: token)
                if last.status == 200 { break }
            }
            guard last.status == 200 else {
                throw Problem("handshake-refused", title: "The webhook subscription was refused", status: 403, detail: last.body)
            }
            var headers = HTTPFields()
            headers[.contentType] = WhatsAppHandshake.contentType
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: last.body)))
        }

        router.post("/v1/webhooks/whatsapp") { request, _ in
            let body = try await self.webhookBody(request)
            let signature = Self.header(request, WhatsAppSignature.header.lowercased())
            let snapshot = self.gateway.snapshot
            let endpoints = snapshot.inbound.filter { $0.value.kind == .whatsapp }.sorted { $0.key < $1.key }
            var rejection: InboundRejection?
            for (name, secrets) in endpoints {
                guard case .success(let appSecret)? = secrets.appSecret else { continue }
                let items: [InboundItem]
                do throws(InboundRejection) {
                    items = try WhatsAppWebhook.receive(body: body, signature: signature, appSecret: appSecret)
                } catch {
                    // A payload error is the same whichever secret verified it: answer it.
                    if case .payload = error { rejection = error; break }
                    rejection = rejection ?? error
                    continue
                }
                try await self.conversations.handle(items, channel: name)
                Counter(label: "herald_webhooks_total", dimensions: [("provider", "whatsapp"), ("result", "accepted")]).increment()
                return Self.json(["ok": true])
            }
            Counter(label: "herald_webhooks_total", dimensions: [("provider", "whatsapp"), ("result", "rejected")]).increment()
            throw rejection?.problem ?? Problem("bad-signature", title: "The body's signature does not verify", status: 401,
                                                detail: "no whatsapp endpoint has a readable 'app_secret'; add 'app_secret: env:…' to it in herald.yaml")
        }

        router.post("/v1/webhooks/twilio") { request, _ in
            let body = try await self.webhookBody(request)
            let signature = Self.header(request, TwilioSignature.header.lowercased())
            let snapshot = self.gateway.snapshot
            var rejection: InboundRejection?
            for (name, secrets) in snapshot.inbound.filter({ $0.value.kind == .twilio }).sorted(by: { $0.key < $1.key }) {
                guard case .success(let token)? = secrets.authToken else { continue }
                for url in Self.publicURLs(request, statusCallback: secrets.statusCallback) {
                    let item: InboundItem
                    do throws(InboundRejection) {
                        item = try TwilioWebhook.receive(body: body, url: url, signature: signature, authToken: token)
                    } catch {
                        if case .payload = error { rejection = error; break }
                        rejection = rejection ?? error
                        continue
                    }
                    do {
                        try await self.conversations.handle([item], channel: name)
                        Counter(label: "herald_webhooks_total", dimensions: [("provider", "twilio"), ("result", "accepted")]).increment()
                        // An empty TwiML answer: Herald replies, when it does, through the API.
                        var headers = HTTPFields()
                        headers[.contentType] = "text/xml; charset=utf-8"
                        return Response(status: .ok, headers: headers,
                                        body: ResponseBody(byteBuffer: ByteBuffer(string: #"<?xml version="1.0" encoding="UTF-8"?><Response/>"#)))
                    }
                }
            }
            Counter(label: "herald_webhooks_total", dimensions: [("provider", "twilio"), ("result", "rejected")]).increment()
            throw rejection?.problem ?? Problem("bad-signature", title: "The body's signature does not verify", status: 401,
                                                detail: "no twilio endpoint has a readable 'token'")
        }
    }

    func webhookBody(_ request: Request) async throws -> [UInt8] {
        do {
            return Array(try await request.body.collect(upTo: Self.maxWebhookBytes).readableBytesView)
        } catch {
            throw Problem("body-too-large", title: "The body is too large", status: 413,
                          detail: "a provider webhook is at most \(Self.maxWebhookBytes) bytes", extensions: JSONObject(["limit": .number(JSONNumber(Self.maxWebhookBytes))]))
        }
    }

    /// The URLs Twilio may have signed: what it was configured with (`status_callback`'s origin)
    /// and what the request says (`X-Forwarded-Proto` and `Host`), each with the request's path
    /// and query. Behind a proxy the first is the one that matters.
    static func publicURLs(_ request: Request, statusCallback: String?) -> [String] {
        let pathAndQuery = request.uri.description
        var urls: [String] = []
        if let statusCallback, let url = URL(string: statusCallback), let scheme = url.scheme, let host = url.host {
            urls.append("\(scheme)://\(host)\(url.port.map { ":\($0)" } ?? "")\(pathAndQuery)")
        }
        // HTTP/1's Host header arrives as the request's authority.
        if let host = request.head.authority ?? header(request, "host") {
            let scheme = header(request, "x-forwarded-proto") ?? "http"
            urls.append("\(scheme)://\(host)\(pathAndQuery)")
        }
        return urls
    }
}
