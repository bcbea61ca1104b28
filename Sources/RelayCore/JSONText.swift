/// JSON text for values the relay writes itself (envelopes, Slack messages, attempt records),
/// written straight into bytes.
public enum JSONText {
    /// `value` as a JSON string literal (RFC 8259 §7): quotes, backslashes and controls escaped.
    static func quoted(_ value: String) -> String {
        var bytes: [UInt8] = []
        appendQuoted(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `value` as a JSON string literal. Bytes of multi-byte UTF-8 sequences are copied as
    /// they are (JSON text is UTF-8); only `"`, `\` and control characters are escaped.
    public static func appendQuoted(_ value: String, to bytes: inout [UInt8]) {
        bytes.append(quote)
        let utf8 = value.utf8
        // Ids and type names need no escaping: one copy instead of a byte at a time.
        if !utf8.contains(where: { $0 < 0x20 || $0 == quote || $0 == backslash }) {
            bytes.append(contentsOf: utf8)
            bytes.append(quote)
            return
        }
        for byte in utf8 {
            switch byte {
            case quote, backslash: bytes += [backslash, byte]
            case UInt8(ascii: "\n"): bytes += [backslash, UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): bytes += [backslash, UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): bytes += [backslash, UInt8(ascii: "t")]
            case ..<0x20:
                bytes += [
                    backslash, UInt8(ascii: "u"), zero, zero, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)],
                ]
            default: bytes.append(byte)
            }
        }
        bytes.append(quote)
    }

    /// Appends `"name":` — `name` must need no escaping (the relay's own member names).
    static func appendName(_ name: StaticString, to bytes: inout [UInt8]) {
        bytes.append(quote)
        name.withUTF8Buffer { bytes += $0 }
        bytes += [quote, UInt8(ascii: ":")]
    }

    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")
    private static let zero = UInt8(ascii: "0")
    private static let hexDigits = Array("0123456789abcdef".utf8)
}
