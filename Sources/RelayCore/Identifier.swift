import Foundation

/// Makes the relay's public identifiers: a prefix, then a ULID (48-bit millisecond time and 80
/// random bits in Crockford base32), so identifiers sort by creation time.
///
/// ```swift
/// Identifier.make(prefix: "evt_")  // "evt_01JD5Q3W6M8ZC2T1V9XKQH4RZB"
/// ```
public enum Identifier {
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// A new identifier with the given prefix, made at `millis` (Unix milliseconds).
    public static func make(prefix: String, millis: Int64 = WallClock.nowMillis()) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(prefix: prefix, millis: millis, using: &generator)
    }

    /// A new identifier made with the given random number generator (for tests).
    public static func make(
        prefix: String, millis: Int64, using generator: inout some RandomNumberGenerator
    ) -> String {
        var characters = [UInt8](repeating: 0, count: 26)
        var time = UInt64(max(0, millis))
        for index in stride(from: 9, through: 0, by: -1) {
            characters[index] = alphabet[Int(time & 31)]
            time >>= 5
        }
        var random = (generator.next() as UInt64, generator.next() as UInt64)
        for index in 10..<26 {
            let source = index < 18 ? random.0 : random.1
            characters[index] = alphabet[Int(source & 31)]
            if index < 18 { random.0 >>= 5 } else { random.1 >>= 5 }
        }
        return prefix + String(decoding: characters, as: UTF8.self)
    }
}
