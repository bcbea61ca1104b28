/// Validates one JSON object against RFC 8259 exactly (no trailing commas, comments or other
/// leniencies) and reads the top-level members the relay needs, without building the value.
///
/// Foundation's parsers on Linux accept trailing commas, so they cannot be the gate for what the
/// relay stores and forwards byte for byte.
///
/// ```swift
/// let members = try JSONObjectScanner.scan(Array(#"{"type":"a","n":1}"#.utf8), reading: ["type"])
/// members["type"]  // .string("a")
/// ```
public enum JSONObjectScanner {
    /// A top-level member's value, as far as the relay cares.
    public enum Member: Equatable, Sendable {
        case string(String)
        /// Any other JSON value (number, object, array, boolean, null).
        case other

        /// The value, when it is a string.
        public var string: String? {
            if case .string(let value) = self { return value }
            return nil
        }
    }

    /// Why the bytes are not one valid JSON object.
    public enum Failure: Error, Equatable, Sendable {
        case notAnObject
        case invalid(offset: Int)
        case tooDeep
        case duplicateMember(String)
        case invalidUTF8
    }

    /// Deepest nesting accepted.
    public static let maxDepth = 64

    /// The `wanted` top-level members present in `bytes`, after validating the whole object.
    ///
    /// - Parameter everyKeyUnique: refuse any top-level member that appears twice, not only the wanted ones.
    public static func scan(_ bytes: [UInt8], reading wanted: Set<String>, everyKeyUnique: Bool = false)
        throws(Failure) -> [String: Member]
    {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .invalidUTF8 }
        var parser = Parser(bytes: bytes, everyKeyUnique: everyKeyUnique)
        parser.skipWhitespace()
        guard parser.peek == UInt8(ascii: "{") else { throw .notAnObject }
        let members = try parser.object(depth: 1, wanted: wanted)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw .invalid(offset: parser.index) }
        return members
    }

    private struct Parser {
        let bytes: [UInt8]
        let everyKeyUnique: Bool
        var index = 0
        var topLevelKeys: Set<String> = []

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
        }

        mutating func expect(_ byte: UInt8) throws(Failure) {
            guard peek == byte else { throw .invalid(offset: index) }
            index += 1
        }

        /// Parses an object; collects `wanted` members only at the top level (`depth == 1`).
        mutating func object(depth: Int, wanted: Set<String>) throws(Failure) -> [String: Member] {
            guard depth <= JSONObjectScanner.maxDepth else { throw .tooDeep }
            try expect(UInt8(ascii: "{"))
            var members: [String: Member] = [:]
            skipWhitespace()
            if peek == UInt8(ascii: "}") {
                index += 1
                return members
            }
            while true {
                skipWhitespace()
                let key = try string(decode: depth == 1)
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
                skipWhitespace()
                if depth == 1, everyKeyUnique, let key {
                    guard topLevelKeys.insert(key).inserted else { throw .duplicateMember(key) }
                }
                if depth == 1, let key, wanted.contains(key) {
                    guard members[key] == nil else { throw .duplicateMember(key) }
                    if peek == UInt8(ascii: "\"") {
                        members[key] = .string(try string(decode: true) ?? "")
                    } else {
                        try value(depth: depth)
                        members[key] = .other
                    }
                } else {
                    try value(depth: depth)
                }
                skipWhitespace()
                if peek == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                try expect(UInt8(ascii: "}"))
                return members
            }
        }

        mutating func value(depth: Int) throws(Failure) {
            switch peek {
            case UInt8(ascii: "{"):
                _ = try object(depth: depth + 1, wanted: [])
            case UInt8(ascii: "["):
                try array(depth: depth + 1)
            case UInt8(ascii: "\""):
                _ = try string(decode: false)
            case UInt8(ascii: "t"):
                try literal("true")
            case UInt8(ascii: "f"):
                try literal("false")
            case UInt8(ascii: "n"):
                try literal("null")
            default:
                try number()
            }
        }

        mutating func array(depth: Int) throws(Failure) {
            guard depth <= JSONObjectScanner.maxDepth else { throw .tooDeep }
            try expect(UInt8(ascii: "["))
            skipWhitespace()
            if peek == UInt8(ascii: "]") {
                index += 1
                return
            }
            while true {
                skipWhitespace()
                try value(depth: depth)
                skipWhitespace()
                if peek == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                try expect(UInt8(ascii: "]"))
                return
            }
        }

        mutating func literal(_ word: StaticString) throws(Failure) {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { throw .invalid(offset: index) }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
                throw .invalid(offset: index + offset)
            }
            index += count
        }

        mutating func number() throws(Failure) {
            if peek == UInt8(ascii: "-") { index += 1 }
            if peek == UInt8(ascii: "0") {
                index += 1
            } else {
                guard digits() > 0 else { throw .invalid(offset: index) }
            }
            if peek == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { throw .invalid(offset: index) }
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                index += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { throw .invalid(offset: index) }
            }
        }

        mutating func digits() -> Int {
            let start = index
            while let byte = peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { index += 1 }
            return index - start
        }

        /// Parses a string; returns its decoded value when `decode` is set.
        mutating func string(decode: Bool) throws(Failure) -> String? {
            try expect(UInt8(ascii: "\""))
            let start = index
            var hasEscapes = false
            var scalars = String.UnicodeScalarView()
            while true {
                guard let byte = peek else { throw .invalid(offset: index) }
                if byte == UInt8(ascii: "\"") { break }
                guard byte >= 0x20 else { throw .invalid(offset: index) }
                if byte == UInt8(ascii: "\\") {
                    if decode && !hasEscapes {
                        scalars.append(contentsOf: String(decoding: bytes[start..<index], as: UTF8.self).unicodeScalars)
                    }
                    hasEscapes = true
                    index += 1
                    let scalar = try escape()
                    if decode { scalars.append(scalar) }
                    continue
                }
                if decode && hasEscapes {
                    let scalarStart = index
                    index += 1
                    while let next = peek, next & 0xC0 == 0x80 { index += 1 }
                    scalars.append(
                        contentsOf: String(decoding: bytes[scalarStart..<index], as: UTF8.self).unicodeScalars)
                    continue
                }
                index += 1
            }
            let end = index
            index += 1
            guard decode else { return nil }
            return hasEscapes ? String(scalars) : String(decoding: bytes[start..<end], as: UTF8.self)
        }

        mutating func escape() throws(Failure) -> Unicode.Scalar {
            guard let byte = peek else { throw .invalid(offset: index) }
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return "\""
            case UInt8(ascii: "\\"): return "\\"
            case UInt8(ascii: "/"): return "/"
            case UInt8(ascii: "b"): return "\u{08}"
            case UInt8(ascii: "f"): return "\u{0C}"
            case UInt8(ascii: "n"): return "\n"
            case UInt8(ascii: "r"): return "\r"
            case UInt8(ascii: "t"): return "\t"
            case UInt8(ascii: "u"):
                let high = try hex4()
                if (0xD800..<0xDC00).contains(high) {
                    guard peek == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u")
                    else {
                        return "\u{FFFD}"
                    }
                    index += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { return "\u{FFFD}" }
                    return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)) ?? "\u{FFFD}"
                }
                return Unicode.Scalar(high) ?? "\u{FFFD}"
            default:
                throw .invalid(offset: index - 1)
            }
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            guard index + 4 <= bytes.count else { throw .invalid(offset: index) }
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let digit = hexValue(bytes[index]) else { throw .invalid(offset: index) }
                value = value << 4 | digit
                index += 1
            }
            return value
        }

        func hexValue(_ byte: UInt8) -> UInt32? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
            default: nil
            }
        }
    }
}
