import HeraldDelivery

/// What a customer's phone shows for a Cloud API message body, and what Meta would refuse in it.
enum WhatsAppView {
    /// The text as shown: a text body; an interactive body with its buttons under it
    /// (`[Yes, it was me] [No, block my card]`); a template's name, language and parameters with
    /// the button each quick reply answers as.
    static func text(of object: [String: Any]) -> String {
        let type = object["type"] as? String ?? "text"
        switch type {
        case "text":
            return (object["text"] as? [String: Any])?["body"] as? String ?? "(text message without a body)"
        case "interactive":
            let interactive = object["interactive"] as? [String: Any] ?? [:]
            let body = (interactive["body"] as? [String: Any])?["text"] as? String ?? ""
            let titles = buttons(of: interactive).map { "[\($0.title)]" }
            return titles.isEmpty ? body : body + "\n" + titles.joined(separator: " ")
        case "template":
            let template = object["template"] as? [String: Any] ?? [:]
            let name = template["name"] as? String ?? "?"
            let language = (template["language"] as? [String: Any])?["code"] as? String ?? "?"
            var parameters: [String] = []
            var replies: [String] = []
            for component in template["components"] as? [[String: Any]] ?? [] {
                let values = component["parameters"] as? [[String: Any]] ?? []
                switch component["type"] as? String {
                case "body": parameters += values.compactMap { $0["text"] as? String }
                case "button":
                    for payload in values.compactMap({ $0["payload"] as? String }) {
                        replies.append("[\(ReplyReference.decode(payload)?.button ?? payload)]")
                    }
                default: continue
                }
            }
            let head = "template \(name) (\(language))" + (parameters.isEmpty ? "" : ": " + parameters.joined(separator: " | "))
            return replies.isEmpty ? head : head + "\n" + replies.joined(separator: " ")
        default:
            return "(\(type) message)"
        }
    }

    /// Why Meta would refuse the message (error 131009, "Parameter value is not valid"), or nil.
    static func problem(in object: [String: Any]) -> String? {
        guard object["type"] as? String == "interactive" else { return nil }
        let interactive = object["interactive"] as? [String: Any] ?? [:]
        let body = (interactive["body"] as? [String: Any])?["text"] as? String ?? ""
        let buttons = buttons(of: interactive)
        if body.isEmpty { return "interactive body text is required" }
        if body.utf16.count > 1024 { return "interactive body text is \(body.utf16.count) characters long; the maximum is 1024" }
        if buttons.isEmpty || buttons.count > 3 { return "an interactive message has 1 to 3 buttons, not \(buttons.count)" }
        if let long = buttons.first(where: { $0.title.isEmpty || $0.title.utf16.count > 20 }) {
            return "button title '\(long.title)' must be 1 to 20 characters long"
        }
        if Set(buttons.map(\.title)).count != buttons.count { return "button titles must be unique" }
        if Set(buttons.map(\.id)).count != buttons.count { return "button ids must be unique" }
        return nil
    }

    private static func buttons(of interactive: [String: Any]) -> [(id: String, title: String)] {
        let action = interactive["action"] as? [String: Any] ?? [:]
        return (action["buttons"] as? [[String: Any]] ?? []).compactMap { button in
            guard let reply = button["reply"] as? [String: Any] else { return nil }
            return (reply["id"] as? String ?? "", reply["title"] as? String ?? "")
        }
    }
}
