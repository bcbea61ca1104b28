import Foundation

/// A member the API always writes, as `null` when it has no value.
///
/// Swift's synthesized `Codable` leaves a `nil` optional out; the API's reads show every member
/// (SPEC §3, §7), so optional members of its types are declared `@Nullable`:
///
/// ```swift
/// @Nullable public var stateReason: String?   // "stateReason": null
/// ```
@propertyWrapper
public struct Nullable<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try container.decode(Value.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

/// A member present only for some resources (a custom webhook's `format`, `splunk`, `batch`,
/// `auth` and `clientCertificate`): `nil` leaves it out, `.some(nil)` writes `null`.
///
/// ```swift
/// @Omissible public var batch: BatchSettings??
/// ```
@propertyWrapper
public struct Omissible<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var wrappedValue: Value??

    public init(wrappedValue: Value??) {
        self.wrappedValue = wrappedValue
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = .some(container.decodeNil() ? nil : try container.decode(Value.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch wrappedValue {
        case .some(.some(let value)): try container.encode(value)
        case .some(.none), .none: try container.encodeNil()
        }
    }
}

/// A change a PATCH request makes to one member: a new value, or `null` to clear it. The
/// request leaves out what it does not change (`Change<…>?` is `nil`).
public enum Change<Value: Encodable & Sendable>: Encodable, Sendable {
    case set(Value)
    case clear

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .set(let value): try container.encode(value)
        case .clear: try container.encodeNil()
        }
    }
}

extension KeyedDecodingContainer {
    /// A missing `@Nullable` member reads as `nil`.
    public func decode<Value>(_ type: Nullable<Value>.Type, forKey key: Key) throws -> Nullable<Value> {
        Nullable(wrappedValue: try decodeIfPresent(Value.self, forKey: key))
    }

    /// A missing `@Omissible` member reads as absent, a `null` one as present without a value.
    public func decode<Value>(_ type: Omissible<Value>.Type, forKey key: Key) throws -> Omissible<Value> {
        guard contains(key) else { return Omissible(wrappedValue: nil) }
        return Omissible(wrappedValue: .some(try decodeIfPresent(Value.self, forKey: key)))
    }
}

extension KeyedEncodingContainer {
    /// An absent `@Omissible` member is left out.
    public mutating func encode<Value>(_ value: Omissible<Value>, forKey key: Key) throws {
        guard let present = value.wrappedValue else { return }
        if let member = present { try encode(member, forKey: key) } else { try encodeNil(forKey: key) }
    }
}
