import Foundation

/// The wall clock the relay reads, in Unix milliseconds.
public enum WallClock {
    /// Now, in Unix milliseconds.
    public static func nowMillis() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}
