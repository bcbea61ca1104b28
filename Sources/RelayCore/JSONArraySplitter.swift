import Foundation

/// Splits the bytes of a JSON array into the byte ranges of its elements, without decoding them,
/// so each event can be stored exactly as it was sent.
///
/// Strings (with escapes) and nesting are tracked; the elements themselves are validated later.
enum JSONArraySplitter {
    enum Failure: Error, Equatable {
        case notAnArray
        case unterminated
        case unexpectedByte(offset: Int)
    }

    static func elements(of bytes: [UInt8]) throws(Failure) -> [Range<Int>] {
        var index = skipWhitespace(bytes, from: 0)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { throw .notAnArray }
        index = skipWhitespace(bytes, from: index + 1)
        var ranges: [Range<Int>] = []
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            return try finish(bytes, after: index, ranges)
        }
        while true {
            let start = index
            index = try valueEnd(bytes, from: index)
            guard index > start else { throw .unexpectedByte(offset: index) }
            ranges.append(start..<trimTrailingWhitespace(bytes, start: start, end: index))
            guard index < bytes.count else { throw .unterminated }
            if bytes[index] == UInt8(ascii: "]") { return try finish(bytes, after: index, ranges) }
            index = skipWhitespace(bytes, from: index + 1)
        }
    }

    /// Index of the `,` or `]` that ends the value starting at `from` (at nesting depth zero).
    private static func valueEnd(_ bytes: [UInt8], from: Int) throws(Failure) -> Int {
        var depth = 0
        var index = from
        var inString = false
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if byte == UInt8(ascii: "\\") {
                    index += 1
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else {
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if depth == 0 { return index }
                    depth -= 1
                case UInt8(ascii: ","):
                    if depth == 0 { return index }
                default: break
                }
            }
            index += 1
        }
        throw .unterminated
    }

    private static func finish(_ bytes: [UInt8], after close: Int, _ ranges: [Range<Int>]) throws(Failure) -> [Range<
        Int
    >] {
        let rest = skipWhitespace(bytes, from: close + 1)
        guard rest == bytes.count else { throw .unexpectedByte(offset: rest) }
        return ranges
    }

    static func skipWhitespace(_ bytes: [UInt8], from: Int) -> Int {
        var index = from
        while index < bytes.count, isWhitespace(bytes[index]) { index += 1 }
        return index
    }

    static func trimTrailingWhitespace(_ bytes: [UInt8], start: Int, end: Int) -> Int {
        var end = end
        while end > start, isWhitespace(bytes[end - 1]) { end -= 1 }
        return end
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
