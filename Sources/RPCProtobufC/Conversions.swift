#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Copies values out of unpacked C structs; generated code calls these.
public enum ProtobufCValues {
  /// A string field. The wire walk already refused embedded NULs, so `strlen` is the length.
  /// - Parameters:
  ///   - pointer: The field's `char *`.
  ///   - field: The field's full name, for the error.
  /// - Throws: `invalidUTF8`.
  @inlinable
  public static func string(
    _ pointer: UnsafePointer<CChar>?,
    field: StaticString
  ) throws(ProtobufDecodingError) -> String {
    guard let pointer, pointer.pointee != 0 else { return "" }
    guard let value = String(validatingCString: pointer) else {
      throw ProtobufDecodingError(.invalidUTF8, "field \(field) is not valid UTF-8")
    }
    return value
  }

  /// A repeated string field.
  /// - Parameters:
  ///   - count: The `n_` member.
  ///   - base: The `char **` member.
  ///   - field: The field's full name, for the error.
  @inlinable
  public static func strings(
    count: Int,
    _ base: UnsafePointer<UnsafeMutablePointer<CChar>?>?,
    field: StaticString
  ) throws(ProtobufDecodingError) -> [String] {
    guard count > 0, let base else { return [] }
    var values: [String] = []
    values.reserveCapacity(count)
    for index in 0..<count {
      values.append(try Self.string(base[index], field: field))
    }
    return values
  }

  /// A bytes field.
  /// - Parameters:
  ///   - count: The `len` member.
  ///   - data: The `data` member.
  @inlinable
  public static func bytes(count: Int, data: UnsafePointer<UInt8>?) -> [UInt8] {
    guard count > 0, let data else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: count))
  }

  /// A repeated scalar field.
  /// - Parameters:
  ///   - count: The `n_` member.
  ///   - base: The array member.
  @inlinable
  public static func array<T>(count: Int, _ base: UnsafePointer<T>?) -> [T] {
    guard count > 0, let base else { return [] }
    return Array(UnsafeBufferPointer(start: base, count: count))
  }

  /// A repeated field of any other element type, converting each element.
  /// - Parameters:
  ///   - count: The `n_` member.
  ///   - base: The array member.
  ///   - convert: Converts one element.
  @inlinable
  public static func map<C, T, Failure: Error>(
    count: Int,
    _ base: UnsafePointer<C>?,
    _ convert: (C) throws(Failure) -> T
  ) throws(Failure) -> [T] {
    guard count > 0, let base else { return [] }
    var values: [T] = []
    values.reserveCapacity(count)
    for index in 0..<count {
      values.append(try convert(base[index]))
    }
    return values
  }

  /// A map field: its entries, each converted to a key and a value.
  /// - Parameters:
  ///   - count: The `n_` member.
  ///   - base: The entries' `T **` member.
  ///   - convert: Converts one entry struct.
  @inlinable
  public static func dictionary<C, Key: Hashable, Value>(
    count: Int,
    _ base: UnsafePointer<UnsafeMutablePointer<C>?>?,
    _ convert: (C) throws(ProtobufDecodingError) -> (Key, Value)
  ) throws(ProtobufDecodingError) -> [Key: Value] {
    guard count > 0, let base else { return [:] }
    var values: [Key: Value] = [:]
    values.reserveCapacity(count)
    for index in 0..<count {
      // A later entry with the same key wins, as the protobuf spec requires.
      let (key, value) = try convert(base[index]!.pointee)
      values[key] = value
    }
    return values
  }

  /// A repeated message field.
  /// - Parameters:
  ///   - count: The `n_` member.
  ///   - base: The `T **` member.
  ///   - type: The Swift message type.
  @inlinable
  public static func messages<C, Message: ProtobufMessage>(
    count: Int,
    _ base: UnsafePointer<UnsafeMutablePointer<C>?>?,
    as type: Message.Type
  ) throws(ProtobufDecodingError) -> [Message] {
    guard count > 0, let base else { return [] }
    var values: [Message] = []
    values.reserveCapacity(count)
    for index in 0..<count {
      values.append(try Message(_protobufC: UnsafeRawPointer(base[index]!)))
    }
    return values
  }

  /// A singular message field: `nil` when absent.
  /// - Parameters:
  ///   - pointer: The `T *` member.
  ///   - type: The Swift message type.
  @inlinable
  public static func message<C, Message: ProtobufMessage>(
    _ pointer: UnsafeMutablePointer<C>?,
    as type: Message.Type
  ) throws(ProtobufDecodingError) -> Message? {
    guard let pointer else { return nil }
    return try Message(_protobufC: UnsafeRawPointer(pointer))
  }
}

extension EncodeArena {
  /// The C struct of a singular message field, or `nil` when absent.
  /// - Parameters:
  ///   - value: The field's value.
  ///   - type: The C struct type.
  @inlinable
  public mutating func message<Message: ProtobufMessage, C>(
    _ value: Message?,
    as type: C.Type
  ) throws(ProtobufEncodingError) -> UnsafeMutablePointer<C>? {
    guard let value else { return nil }
    return try value._protobufC(in: &self).assumingMemoryBound(to: C.self)
  }

  /// The `T **` array of a repeated message field.
  /// - Parameters:
  ///   - values: The field's values.
  ///   - type: The C struct type.
  @inlinable
  public mutating func messages<Message: ProtobufMessage, C>(
    _ values: [Message],
    as type: C.Type
  ) throws(ProtobufEncodingError) -> UnsafeMutablePointer<UnsafeMutablePointer<C>?>? {
    guard !values.isEmpty else { return nil }
    let array = self.allocate(UnsafeMutablePointer<C>?.self, count: values.count)
    for index in values.indices {
      array[index] = try values[index]._protobufC(in: &self).assumingMemoryBound(to: C.self)
    }
    return array
  }

  /// A copy of a `bytes` value, as the C struct `make` builds from its length and data.
  /// - Parameters:
  ///   - value: The bytes.
  ///   - make: `ProtobufCBinaryData.init(len:data:)`.
  @inlinable
  public mutating func bytes<Binary>(
    _ value: [UInt8],
    _ make: (Int, UnsafeMutablePointer<UInt8>?) -> Binary
  ) -> Binary {
    let (count, data) = self.bytes(value)
    return make(count, data)
  }

  /// The `char **` array of a repeated string field.
  /// - Parameters:
  ///   - values: The field's values.
  ///   - field: The field's full name, for the error.
  @inlinable
  public mutating func strings(
    _ values: [String],
    field: StaticString
  ) throws(ProtobufEncodingError) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
    guard !values.isEmpty else { return nil }
    let array = self.allocate(UnsafeMutablePointer<CChar>?.self, count: values.count)
    for index in values.indices {
      array[index] = try self.string(values[index], field: field)
    }
    return array
  }

  /// An array of C values, each made from one Swift value.
  /// - Parameters:
  ///   - values: The field's values.
  ///   - convert: Makes one C value.
  @inlinable
  public mutating func map<T, C, Failure: Error>(
    _ values: [T],
    _ convert: (T, inout EncodeArena) throws(Failure) -> C
  ) throws(Failure) -> UnsafeMutablePointer<C>? {
    guard !values.isEmpty else { return nil }
    let array = self.allocate(C.self, count: values.count)
    for index in values.indices {
      (array + index).initialize(to: try convert(values[index], &self))
    }
    return array
  }
}

/// Heap storage for a message field that makes its message contain itself, which a Swift struct
/// cannot do inline. Immutable, so copies of the message share it safely.
public final class ProtobufBox<Value: Sendable & Hashable>: Sendable, Hashable {
  /// The boxed value.
  public let value: Value

  /// Boxes a value.
  /// - Parameter value: The value.
  public init(_ value: Value) {
    self.value = value
  }

  public static func == (lhs: ProtobufBox, rhs: ProtobufBox) -> Bool {
    lhs === rhs || lhs.value == rhs.value
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(self.value)
  }
}
