extension JSONObject {
    /// The member `key`, found without copying the members scanned on the way (the general
    /// subscript copies each one, which costs reference counting on every event field it passes).
    @inline(__always)
    func lookup(_ key: String) -> JSONValue? {
        members.withUnsafeBufferPointer { members in
            for index in members.indices where members[index].key == key {
                return members[index].value
            }
            return nil
        }
    }
}
