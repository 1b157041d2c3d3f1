// One decode/encode pair per type of google/protobuf/wrappers.proto.
internal import CProtobufC
internal import CWellKnownTypes

extension WellKnownTypes {
  /// A `google.protobuf.DoubleValue` field, or `nil` when absent.
  /// - Parameter pointer: The field's `Google__Protobuf__DoubleValue *`.
  public static func doubleValue(_ pointer: UnsafeRawPointer?) -> Double? {
    guard let c = pointer?.assumingMemoryBound(to: Google__Protobuf__DoubleValue.self) else { return nil }
    return c.pointee.value
  }

  /// The C struct of a `google.protobuf.DoubleValue` field.
  /// - Parameters:
  ///   - value: The field's value.
  ///   - arena: The encode arena.
  public static func doubleValue(
    _ value: Double?,
    in arena: inout EncodeArena
  ) -> UnsafeMutableRawPointer? {
    guard let value else { return nil }
    let c = arena.allocate(Google__Protobuf__DoubleValue.self)
    google__protobuf__double_value__init(c)
    c.pointee.value = value
    return UnsafeMutableRawPointer(c)
  }

  /// A `google.protobuf.FloatValue` field, or `nil` when absent.
  /// - Parameter pointer: The field's `Google__Protobuf__FloatValue *`.
  public static func floatValue(_ pointer: UnsafeRawPointer?) -> Float? {
    guard let c = pointer?.assumingMemoryBound(to: Google__Protobuf__FloatValue.self) else { return nil }
    return c.pointee.value
  }

  /// The C struct of a `google.protobuf.FloatValue` field.
  /// - Parameters:
  ///   - value: The field's value.
  ///   - arena: The encode arena.
  public static func floatValue(
    _ value: Float?,
    in arena: inout EncodeArena
  ) -> UnsafeMutableRawPointer? {
    guard let value else { return nil }
    let c = arena.allocate(Google__Protobuf__FloatValue.self)
    google__protobuf__float_value__init(c)
    c.pointee.value = value
    return UnsafeMutableRawPointer(c)
  }

  /// A `google.protobuf.Int64Value` field, or `nil` when absent.
  /// - Parameter pointer: The field's `Google__Protobuf__Int64Value *`.
  public static func int64Value(_ pointer: UnsafeRawPointer?) -> Int64? {
    guard let c = pointer?.assumingMemoryBound(to: Google__Protobuf__Int64Value.self) else { return nil }
    return c.pointee.value
  }

  /// The C struct of a `google.protobuf.Int64Value` field.
  /// - Parameters:
  ///   - value: The field's value.
  ///   - arena: The encode arena.
  public static func int64Value(
    _ value: Int64?,
    in arena: inout EncodeArena
  ) -> UnsafeMutableRawPointer? {
    guard let value else { return nil }
    let c = arena.allocate(Google__Protobuf__Int64Value.self)
    google__protobuf__int64_value__init(c)
    c.pointee.value = value
    return UnsafeMutableRawPointer(c)
  }

  /// A `google.protobuf.UInt64Value` field, or `nil` when absent.
  /// - Parameter pointer: The field's `Google__Protobuf__UInt64Value *`.
  public static func uint64Value(_ pointer: UnsafeRawPointer?) -> UInt64? {
    guard let c = pointer?.assumingMemoryBound(to: Google__Protobuf__UInt64Value.self) else { return nil }
    return c.pointee.value
  }

  /// The C struct of a `google.protobuf.UInt64Value` field.
  /// - Parameters:
  ///   - value: The field's value.
  ///   - arena: The encode arena.
  public static func uint64Value(
    _ value: UInt64?,
    in arena: inout EncodeArena
  ) -> UnsafeMutableRawPointer? {
    guard let value else { return nil }
    let c = arena.allocate(Google__Protobuf__UInt64Value.self)
    google__protobuf__uint64_value__init(c)
    c.pointee.value = value
    return UnsafeMutableRawPointer(c)
  }

  /// A `google.protobuf.Int32Value` field, or `nil` when absent.
  /// - Parameter pointer: The field's `Google__Protobuf__Int32Value *`.
  public static func int32Value(_ pointer: UnsafeRawPointer?) -> Int32? {
    guard let c = pointer?.assumingMemoryBound(to: Google__Protobuf__Int32Value.self) else { return nil }
    return c.pointee.value
  }

  /// The C struct of a `google.protobuf.Int32Value` field.
  /// - Parameters:
  ///   - value: The field's value.
  ///   - arena: The encode arena.
  public static func int32Value(
    _ value: Int32?,
    in arena: inout EncodeArena
  ) -> UnsafeMutableRawPointer? {
    guard let value else { return nil }
    let c = arena.allocate(Google__Protobuf__Int32Value.self)
    google__protobuf__int32_value__init(c)
    c.pointee.value = value
    return UnsafeMutableRawPointer(c)
  }

  /// A `google.protobuf.UInt32Value` field, or `nil` when absent.
  /// - Parameter pointer: The field's `Google__Protobuf__UInt32Value *`.
  public static func uint32Value(_ pointer: UnsafeRawPointer?) -> UInt32? {
    guard let c = pointer?.assumingMemoryBound(to: Google__Protobuf__UInt32Value.self) else { return nil }
    return c.pointee.value
  }

  /// The C struct of a `google.protobuf.UInt32Value` field.
  /// - Parameters:
  ///   - value: The field's value.
  ///   - arena: The encode arena.
  public static func uint32Value(
    _ value: UInt32?,
    in arena: inout EncodeArena
  ) -> UnsafeMutableRawPointer? {
    guard let value else { return nil }
    let c = arena.allocate(Google__Protobuf__UInt32Value.self)
    google__protobuf__uint32_value__init(c)
    c.pointee.value = value
    return UnsafeMutableRawPointer(c)
  }

  /// A `google.protobuf.BoolValue` field, or `nil` when absent.
  /// - Parameter pointer: The field's `Google__Protobuf__BoolValue *`.
  public static func boolValue(_ pointer: UnsafeRawPointer?) -> Bool? {
    guard let c = pointer?.assumingMemoryBound(to: Google__Protobuf__BoolValue.self) else { return nil }
    return c.pointee.value != 0
  }

  /// The C struct of a `google.protobuf.BoolValue` field.
  /// - Parameters:
  ///   - value: The field's value.
  ///   - arena: The encode arena.
  public static func boolValue(
    _ value: Bool?,
    in arena: inout EncodeArena
  ) -> UnsafeMutableRawPointer? {
    guard let value else { return nil }
    let c = arena.allocate(Google__Protobuf__BoolValue.self)
    google__protobuf__bool_value__init(c)
    c.pointee.value = value ? 1 : 0
    return UnsafeMutableRawPointer(c)
  }

  /// A `google.protobuf.StringValue` field, or `nil` when absent.
  /// - Parameter pointer: The field's `Google__Protobuf__StringValue *`.
  public static func stringValue(_ pointer: UnsafeRawPointer?) throws(ProtobufDecodingError) -> String? {
    guard let c = pointer?.assumingMemoryBound(to: Google__Protobuf__StringValue.self) else { return nil }
    return try ProtobufCValues.string(c.pointee.value, field: "google.protobuf.StringValue.value")
  }

  /// The C struct of a `google.protobuf.StringValue` field.
  /// - Parameters:
  ///   - value: The field's value.
  ///   - arena: The encode arena.
  public static func stringValue(
    _ value: String?,
    in arena: inout EncodeArena
  ) throws(ProtobufEncodingError) -> UnsafeMutableRawPointer? {
    guard let value else { return nil }
    let c = arena.allocate(Google__Protobuf__StringValue.self)
    google__protobuf__string_value__init(c)
    c.pointee.value = try arena.string(value, field: "google.protobuf.StringValue.value")
    return UnsafeMutableRawPointer(c)
  }

  /// A `google.protobuf.BytesValue` field, or `nil` when absent.
  /// - Parameter pointer: The field's `Google__Protobuf__BytesValue *`.
  public static func bytesValue(_ pointer: UnsafeRawPointer?) -> [UInt8]? {
    guard let c = pointer?.assumingMemoryBound(to: Google__Protobuf__BytesValue.self) else { return nil }
    return ProtobufCValues.bytes(count: c.pointee.value.len, data: c.pointee.value.data)
  }

  /// The C struct of a `google.protobuf.BytesValue` field.
  /// - Parameters:
  ///   - value: The field's value.
  ///   - arena: The encode arena.
  public static func bytesValue(
    _ value: [UInt8]?,
    in arena: inout EncodeArena
  ) -> UnsafeMutableRawPointer? {
    guard let value else { return nil }
    let c = arena.allocate(Google__Protobuf__BytesValue.self)
    google__protobuf__bytes_value__init(c)
    let bytes = arena.bytes(value)
    c.pointee.value = ProtobufCBinaryData(len: bytes.count, data: bytes.data)
    return UnsafeMutableRawPointer(c)
  }

}
