/// Comparisons of secret values that take the same time wherever they differ.
enum ConstantTime {
    /// Whether `a` and `b` are equal, in time that depends only on their lengths.
    static func equal(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
