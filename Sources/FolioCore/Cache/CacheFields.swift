import Foundation

/// A Codable record as the fields of one line of a `CacheFile`, in the order the record
/// encodes them, which for a synthesized `Codable` is the order its properties are
/// declared in (and the order it decodes them). So a record is a plain struct: its
/// strings, integers and object ids (`ObjectID` is a hex string) are fields; an optional
/// that is nil is the null field; a nested struct's fields follow in place; an array is
/// its count, then its elements. Keys are not written: a cache's format number changes
/// when its record does, and `CacheFileTests` round-trips every record type.
///
/// Dictionaries are not supported (Swift encodes them with keys); a record keeps an array
/// of pairs instead. An optional struct must begin with a field that is never nil (its
/// null field and its first field would otherwise read alike).
enum CacheFields {
    static func encode<Record: Encodable>(_ record: Record) throws -> [String?] {
        let encoder = FieldEncoder()
        try record.encode(to: encoder)
        return encoder.fields
    }

    /// The record the fields hold; it must use every one of them.
    static func decode<Record: Decodable>(_ type: Record.Type, from fields: [String?]) throws -> Record {
        let decoder = FieldDecoder(fields)
        let record = try Record(from: decoder)
        guard decoder.index == fields.count else { throw FieldDecoder.corrupt("\(fields.count - decoder.index) field(s) left over") }
        return record
    }
}

// MARK: Encoding

private final class FieldEncoder: Encoder {
    var fields: [String?] = []
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedFields<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        fields.append("0")
        return UnkeyedFields(encoder: self, countField: fields.count - 1)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleField(encoder: self) }

    /// The field or fields of a value. Scalars are matched by type, not by a cast to a
    /// protocol (a conformance lookup per field cost a rebuild a fifth of its time).
    func append<T: Encodable>(_ value: T) throws {
        if T.self == String.self {
            fields.append((value as! String))
        } else if T.self == Int.self {
            fields.append(String(value as! Int))
        } else if T.self == Int64.self {
            fields.append(String(value as! Int64))
        } else if T.self == UInt64.self {
            fields.append(String(value as! UInt64))
        } else if T.self == Bool.self {
            fields.append((value as! Bool) ? "1" : "0")
        } else if T.self == Double.self {
            fields.append(String(value as! Double))
        } else {
            try value.encode(to: self)
        }
    }
}

private struct KeyedFields<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: FieldEncoder
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) throws { encoder.fields.append(nil) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try encoder.append(value) }
    mutating func encode(_ value: String, forKey key: Key) throws { encoder.fields.append(value) }
    mutating func encode(_ value: Int, forKey key: Key) throws { encoder.fields.append(String(value)) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { encoder.fields.append(String(value)) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { encoder.fields.append(String(value)) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { encoder.fields.append(value ? "1" : "0") }
    // A nil optional is a field too (the synthesized code would skip it, shifting the rest).
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encoder.append(value) } else { encoder.fields.append(nil) }
    }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { encoder.fields.append(value) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { encoder.fields.append(value.map(String.init)) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { encoder.fields.append(value.map(String.init)) }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { encoder.fields.append(value.map { $0 ? "1" : "0" }) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { encoder.fields.append(value.map { String($0) }) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        encoder.container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { encoder.unkeyedContainer() }
    mutating func superEncoder() -> any Encoder { encoder }
    mutating func superEncoder(forKey key: Key) -> any Encoder { encoder }
}

private struct UnkeyedFields: UnkeyedEncodingContainer {
    let encoder: FieldEncoder
    /// Where the element count is written (elements may take several fields each).
    let countField: Int
    var count = 0
    var codingPath: [any CodingKey] { [] }

    private mutating func counted() {
        count += 1
        encoder.fields[countField] = String(count)
    }
    mutating func encodeNil() throws {
        encoder.fields.append(nil)
        counted()
    }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try encoder.append(value)
        counted()
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        counted()
        return encoder.container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        counted()
        return encoder.unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder {
        counted()
        return encoder
    }
}

private struct SingleField: SingleValueEncodingContainer {
    let encoder: FieldEncoder
    var codingPath: [any CodingKey] { [] }
    mutating func encodeNil() throws { encoder.fields.append(nil) }
    mutating func encode<T: Encodable>(_ value: T) throws { try encoder.append(value) }
    mutating func encode(_ value: String) throws { encoder.fields.append(value) }
}

// MARK: Decoding

private final class FieldDecoder: Decoder {
    let fields: [String?]
    var index = 0
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(_ fields: [String?]) { self.fields = fields }

    static func corrupt(_ reason: String) -> DecodingError {
        .dataCorrupted(DecodingError.Context(codingPath: [], debugDescription: "cache record: \(reason)"))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(KeyedFieldReader<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard let count = Int(try text()), count >= 0 else { throw Self.corrupt("an array without its count") }
        return UnkeyedFieldReader(decoder: self, count: count)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleFieldReader(decoder: self) }

    /// The next field, which must not be null.
    func text() throws -> String {
        guard index < fields.count else { throw Self.corrupt("too few fields") }
        defer { index += 1 }
        guard let field = fields[index] else { throw Self.corrupt("field \(index) is null") }
        return field
    }

    /// Consumes the next field when it is null.
    func null() -> Bool {
        guard index < fields.count, fields[index] == nil else { return false }
        index += 1
        return true
    }

    func integer<Integer: FixedWidthInteger>(_ type: Integer.Type) throws -> Integer {
        guard let number = Integer(try text(), radix: 10) else { throw Self.corrupt("field \(index - 1) is not a \(type)") }
        return number
    }

    /// A value of any type (the scalars by type, as `FieldEncoder.append` writes them).
    func value<T: Decodable>(_ type: T.Type) throws -> T {
        if type == String.self { return try text() as! T }
        if type == Int.self { return try integer(Int.self) as! T }
        if type == Int64.self { return try integer(Int64.self) as! T }
        if type == UInt64.self { return try integer(UInt64.self) as! T }
        if type == Bool.self { return (try text() == "1") as! T }
        if type == Double.self {
            guard let number = Double(try text()) else { throw Self.corrupt("field \(index - 1) is not a number") }
            return number as! T
        }
        return try T(from: self)
    }
}

private struct KeyedFieldReader<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: FieldDecoder
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { [] }

    func contains(_ key: Key) -> Bool { true }
    func decodeNil(forKey key: Key) throws -> Bool { decoder.null() }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decoder.value(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder.text() }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoder.integer(Int.self) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decoder.integer(Int64.self) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decoder.integer(UInt64.self) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoder.text() == "1" }
    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder.container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try decoder.unkeyedContainer() }
    func superDecoder() throws -> any Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> any Decoder { decoder }
}

private struct UnkeyedFieldReader: UnkeyedDecodingContainer {
    let decoder: FieldDecoder
    let total: Int
    var currentIndex = 0
    var codingPath: [any CodingKey] { [] }
    var count: Int? { total }
    var isAtEnd: Bool { currentIndex >= total }

    init(decoder: FieldDecoder, count: Int) {
        self.decoder = decoder
        total = count
    }

    private mutating func next() throws {
        guard !isAtEnd else { throw FieldDecoder.corrupt("past the end of an array") }
        currentIndex += 1
    }
    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, decoder.null() else { return false }
        currentIndex += 1
        return true
    }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try next()
        return try decoder.value(type)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next()
        return try decoder.container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next()
        return try decoder.unkeyedContainer()
    }
    mutating func superDecoder() throws -> any Decoder {
        try next()
        return decoder
    }
}

private struct SingleFieldReader: SingleValueDecodingContainer {
    let decoder: FieldDecoder
    var codingPath: [any CodingKey] { [] }
    func decodeNil() -> Bool { decoder.null() }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.value(type) }
    func decode(_ type: String.Type) throws -> String { try decoder.text() }
}
