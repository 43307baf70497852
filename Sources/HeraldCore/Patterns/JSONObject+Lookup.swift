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

    /// The position of the member `key` in `members`, or -1: a lookup that copies nothing.
    @inline(__always)
    static func position(of key: String, in members: UnsafeBufferPointer<Member>) -> Int {
        for index in members.indices where members[index].key == key {
            return index
        }
        return -1
    }
}
