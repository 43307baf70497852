extension Array {
    /// Removes and returns the queued work for one group-commit transaction, oldest first: at least
    /// one element, then as many as fit in `maxSize` by `size`. A caller's work is never split.
    mutating func takeGroup(maxSize: Int, size: (Element) -> Int) -> [Element] {
        var taken = 0
        var total = 0
        for element in self {
            if taken > 0 && total + size(element) > maxSize { break }
            taken += 1
            total += size(element)
        }
        let group = Array(prefix(taken))
        removeFirst(taken)
        return group
    }
}
