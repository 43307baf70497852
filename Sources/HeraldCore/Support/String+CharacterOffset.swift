extension String {
    /// The 0-based index of the character (grapheme cluster) that contains the scalar at `index`:
    /// how a person counts positions in a message or path, for error offsets.
    func characterOffset(of index: Index) -> Int {
        var offset = 0
        var start = startIndex
        while start < endIndex {
            let next = self.index(after: start)
            if next > index { break }
            offset += 1
            start = next
        }
        return offset
    }
}
