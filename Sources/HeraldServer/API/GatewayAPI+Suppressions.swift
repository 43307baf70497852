import Foundation
import HeraldCore
import HeraldStore
import Hummingbird

/// The opt-out list: who asked not to be messaged, per business category.
///
/// | Route | What |
/// |---|---|
/// | `GET /v1/suppressions` | every opt-out (`?address=` for one recipient) |
/// | `PUT /v1/suppressions/{address}` | `{"categories": ["marketing"], "reason": "…"}`: add opt-outs (all categories when `categories` is absent) |
/// | `DELETE /v1/suppressions/{address}` | remove them (`?category=` for one) |
///
/// Addresses are normalised as Herald keys recipients: `+91 98765-43210` is `+919876543210`.
extension GatewayAPI {
    func addSuppressionRoutes(to router: Router<BasicRequestContext>) {
        router.get("/v1/suppressions") { request, _ in
            try self.authorize(request)
            let address = request.uri.queryParameters.get("address").map { RecipientAddress.normalized($0) }
            let list = try await self.outbox.suppressions(address: address)
            return Self.json(["suppressions": .array(list.map(Self.json(suppression:)))])
        }
        router.put("/v1/suppressions/{address}") { request, context in
            try self.authorize(request)
            let address = RecipientAddress.normalized(Self.decoded(context.parameters.get("address") ?? ""))
            let body = try await request.body.collect(upTo: 64 * 1024)
            var json: JSONValue = .object(JSONObject())
            if body.readableBytes > 0 {
                do {
                    json = try JSONParser.parse(Array(body.readableBytesView))
                } catch let error as JSONSyntaxError {
                    throw Problem.invalidJSON(error)
                }
            }
            var categories = RuleCategory.allCases.map(\.rawValue)
            if let given = json["categories"] {
                guard case .array(let items) = given, !items.isEmpty,
                      let names = Optional(items.compactMap(\.stringValue)), names.count == items.count,
                      names.allSatisfy({ RuleCategory(rawValue: $0) != nil }) else {
                    throw Problem("invalid-suppression", title: "The opt-out is not valid", status: 400,
                                  detail: "categories must be a non-empty list of \(RuleCategory.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                categories = names
            }
            let reason = json["reason"]?.stringValue ?? "added through the API"
            for category in categories {
                try await self.outbox.suppress(Suppression(address: address, category: category, reason: reason, createdAt: Date()))
            }
            let list = try await self.outbox.suppressions(address: address)
            return Self.json(["suppressions": .array(list.map(Self.json(suppression:)))])
        }
        router.delete("/v1/suppressions/{address}") { request, context in
            try self.authorize(request)
            let address = RecipientAddress.normalized(Self.decoded(context.parameters.get("address") ?? ""))
            let removed = try await self.outbox.unsuppress(address: address, category: request.uri.queryParameters.get("category"))
            return Self.json(["removed": .number(JSONNumber(removed))])
        }
    }

    static func json(suppression: Suppression) -> JSONValue {
        ["address": .string(suppression.address), "category": .string(suppression.category), "reason": .string(suppression.reason),
         "created_at": RecordJSON.timestamp(suppression.createdAt)]
    }
}
