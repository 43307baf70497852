/// A recipient's address in the one form Herald keeps it under, so pacing, opt-outs, dedupe and
/// matching a reply to its question see one customer however the address was written: a phone
/// number as `+` and its E.164 digits (`+91 98765-43210`, WhatsApp's `919876543210` and Twilio's
/// `+919876543210` are one number), anything else (an e-mail address) lower-cased.
public enum RecipientAddress {
    /// `address` in the form Herald keeps it under.
    public static func normalized(_ address: String) -> String {
        if let digits = e164Digits(address) { return "+" + digits }
        return address.lowercased()
    }

    /// The digits of `address` as an E.164 number, or nil when it is not one.
    /// Spaces, hyphens, dots, parentheses and one leading `+` are dropped; 7 to 15 digits, not
    /// starting with 0.
    public static func e164Digits(_ address: String) -> String? {
        var digits = ""
        var sawPlus = false
        for scalar in address.unicodeScalars {
            switch scalar {
            case "0"..."9": digits.unicodeScalars.append(scalar)
            case " ", "-", ".", "(", ")": continue
            case "+" where digits.isEmpty && !sawPlus: sawPlus = true
            default: return nil
            }
        }
        guard (7...15).contains(digits.utf8.count), digits.first != "0" else { return nil }
        return digits
    }
}
