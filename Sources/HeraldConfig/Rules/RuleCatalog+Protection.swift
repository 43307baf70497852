import HeraldCore

/// Cross checks of the conversation keys: `on_reply` names an endpoint of herald.yaml (a webhook,
/// to be of use), and no reply keyword is also an opt-out word.
extension RuleCatalog {
    mutating func checkReplies(endpoints: Set<String>?, endpointKinds: [String: Endpoint.Kind], optOutKeywords: OptOutKeywords?) {
        let endpointNames = endpoints.map { $0.sorted() } ?? []
        for rule in rules {
            guard let onReply = rule.onReply else { continue }
            let context = rule.id.map { "rule '\($0)'" } ?? "rule"
            if let endpoints, !endpoints.contains(onReply.name) {
                report(.error, rule.file, onReply.mark, "\(context) forwards replies to unknown endpoint '\(onReply.name)'",
                       hint: Suggestion.closest(to: onReply.name, among: endpointNames).map { "did you mean '\($0)'?" }
                           ?? "define it under 'endpoints:' in herald.yaml, e.g. '\(onReply.name): {kind: webhook, url: …}' (known: \(endpointNames.joined(separator: ", ")))")
                continue
            }
            if let kind = endpointKinds[onReply.name], kind != .webhook {
                report(.warning, rule.file, onReply.mark,
                       "\(context) forwards replies to endpoint '\(onReply.name)', which is a \(kind.rawValue) endpoint, not a webhook",
                       hint: "replies are forwarded as JSON to your own service: name an endpoint of 'kind: webhook'")
            }
        }
        guard let optOutKeywords else { return }
        for template in templates {
            for keyword in template.keywordMarks {
                guard let optOut = optOutKeywords.keyword(matching: keyword.word, locale: nil) else { continue }
                report(.warning, template.file, keyword.mark,
                       "keyword '\(keyword.word)' of button '\(keyword.buttonID)' of template '\(template.id)' is also an opt-out word ('\(optOut.word)', \(optOut.locale))",
                       hint: "a customer who replies '\(keyword.word)' is opted out; pick another word, or change 'opt_out_keywords' in herald.yaml")
            }
        }
    }
}
