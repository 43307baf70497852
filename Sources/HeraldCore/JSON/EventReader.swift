/// Splits an input of events into single events: one JSON object, a JSON array of events, or
/// JSON Lines (one event per line). A line that is not valid JSON is reported with its own
/// line and column and does not stop the others.
public enum EventReader {
    public struct Item: Sendable {
        /// 0-based position of the event in the input.
        public var index: Int
        public var result: Result<JSONValue, JSONSyntaxError>
    }

    public static func read(_ bytes: [UInt8], limits: JSONLimits = .default) -> [Item] {
        let lines = nonEmptyLines(bytes)
        // JSON Lines: several lines, each a whole object on its own.
        if lines.count > 1, lines.allSatisfy({ bytes[$0.contentStart] == UInt8(ascii: "{") }) {
            return lines.enumerated().map { index, line in
                let slice = Array(bytes[line.start..<line.end])
                let result: Result<JSONValue, JSONSyntaxError>
                do throws(JSONSyntaxError) {
                    result = .success(try JSONParser.parse(slice, limits: limits))
                } catch {
                    var shifted = error
                    shifted.line = line.number
                    shifted.offset += line.start
                    result = .failure(shifted)
                }
                return Item(index: index, result: result)
            }
        }
        do {
            let document = try JSONParser.parse(bytes, limits: limits)
            if case .array(let events) = document {
                return events.enumerated().map { Item(index: $0.offset, result: .success($0.element)) }
            }
            return [Item(index: 0, result: .success(document))]
        } catch {
            return [Item(index: 0, result: .failure(error))]
        }
    }

    private struct Line {
        var number: Int
        var start: Int
        var contentStart: Int
        var end: Int
    }

    private static func nonEmptyLines(_ bytes: [UInt8]) -> [Line] {
        var lines: [Line] = []
        var start = 0
        var number = 1
        func finish(_ end: Int) {
            var content = start
            while content < end, bytes[content] == 0x20 || bytes[content] == 0x09 || bytes[content] == 0x0D { content += 1 }
            if content < end { lines.append(Line(number: number, start: start, contentStart: content, end: end)) }
        }
        for (position, byte) in bytes.enumerated() where byte == 0x0A {
            finish(position)
            start = position + 1
            number += 1
        }
        finish(bytes.count)
        return lines
    }
}
