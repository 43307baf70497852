import Foundation
import HeraldCore
import Logging
import Synchronization

/// One JSON object per line on stderr: `{"ts":…,"level":…,"msg":…, metadata…}`, for log shippers.
/// Callers put ids in metadata (`event`, `delivery`, `endpoint`), never secrets or phone numbers.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String
    private static let lock = Mutex(())

    public init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        write(level: event.level, message: event.message, metadata: event.metadata, error: event.error)
    }

    private func write(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, error: (any Error)?) {
        var object = JSONObject()
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        object["ts"] = .string(formatter.string(from: Date()))
        object["level"] = .string(level.rawValue)
        object["logger"] = .string(label)
        object["msg"] = .string(message.description)
        if let error { object["error"] = .string("\(error)") }
        for (key, value) in metadata.merging(explicit ?? [:], uniquingKeysWith: { $1 }).sorted(by: { $0.key < $1.key })
        where object[key] == nil {
            object[key] = .string("\(value)")
        }
        let line = Array((object.compactJSONText + "\n").utf8)
        Self.lock.withLock { _ in FileHandle.standardError.write(Data(line)) }
    }
}

extension JSONObject {
    var compactJSONText: String { JSONValue.object(self).compactJSON }
}
