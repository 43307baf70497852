/// What logs may show of text that came from outside: provider error messages can quote the
/// recipient's number ("The 'To' number +15005550001 is not a valid phone number"), and logs must
/// not carry customers' numbers.
public enum LogRedaction {
    /// Runs of 7 or more digits become `•` but for their last three digits; after a `+`, spaces,
    /// hyphens and dots may separate the digits: `+91 98765 43210` → `+•••••••••210`. A date
    /// (`2025-03-14`) is not a run.
    public static func maskingPhoneNumbers(_ text: String) -> String {
        var output = ""
        var run: [Character] = []
        var digits = 0
        func flush() {
            if digits >= 7 {
                var keep = 3
                var masked: [Character] = []
                for character in run.reversed() {
                    if character.isNumber {
                        masked.append(keep > 0 ? character : "•")
                        keep -= 1
                    } else if character == "+" {
                        masked.append(character)
                    }
                }
                output += String(masked.reversed())
            } else {
                output += String(run)
            }
            run = []
            digits = 0
        }
        for character in text {
            if character.isASCII && character.isNumber {
                run.append(character)
                digits += 1
            } else if (character == "+" && run.isEmpty) || (run.first == "+" && [" ", "-", "."].contains(character)) {
                run.append(character)
            } else {
                // Separators after the last digit are not part of the number.
                var trailing: [Character] = []
                while let last = run.last, !last.isNumber { trailing.insert(run.removeLast(), at: 0) }
                flush()
                output += String(trailing)
                output.append(character)
            }
        }
        var trailing: [Character] = []
        while let last = run.last, !last.isNumber { trailing.insert(run.removeLast(), at: 0) }
        flush()
        output += String(trailing)
        return output
    }
}
