internal import CProtobufC

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks untrusted bytes against a message's protoc-c descriptor before the C codec sees them.
///
/// protobuf-c 1.4 does not bound nesting (its recursion would exhaust the stack), does not
/// validate UTF-8, and stores strings NUL-terminated, so `a\0b` would unpack as `a` without
/// error. This walk rejects all of that with an error that names the field, and so the C codec
/// only ever unpacks structurally valid input. It produces no values: decoding stays in C.
enum WireValidator {
  private static let maxFieldNumber: UInt64 = (1 << 29) - 1

  static func validate(
    _ bytes: UnsafeRawBufferPointer,
    descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
    maxDepth: Int
  ) throws(ProtobufDecodingError) {
    var reader = Reader(bytes: bytes)
    try Self.validateMessage(&reader, end: bytes.count, descriptor: descriptor, depth: 1, maxDepth: maxDepth)
  }

  private static func validateMessage(
    _ reader: inout Reader,
    end: Int,
    descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
    depth: Int,
    maxDepth: Int
  ) throws(ProtobufDecodingError) {
    if depth > maxDepth {
      throw ProtobufDecodingError(
        .depthLimitExceeded,
        "\(Self.name(of: descriptor)) is nested deeper than \(maxDepth) levels"
      )
    }
    let fields = descriptor.pointee.fields
    let fieldCount = Int(descriptor.pointee.n_fields)
    // Encoders write fields in number order, so the field after the last one found is checked
    // before searching.
    var hint = 0
    while reader.offset < end {
      let tag = try reader.readVarint(end: end, context: descriptor)
      let fieldNumber = tag >> 3
      guard fieldNumber > 0, fieldNumber <= Self.maxFieldNumber else {
        throw ProtobufDecodingError(
          .invalidTag,
          "\(Self.name(of: descriptor)) has a tag with field number \(fieldNumber)"
        )
      }
      let field = Self.field(numbered: UInt32(fieldNumber), in: fields, count: fieldCount, hint: &hint)
      let wireType = UInt8(truncatingIfNeeded: tag & 7)
      switch wireType {
      case 0:
        if let field, !Self.accepts(field, wireType: 0) {
          throw Self.wrongWireType(field, wireType, descriptor)
        }
        _ = try reader.readVarint(end: end, context: descriptor)
      case 1, 5:
        if let field, !Self.accepts(field, wireType: wireType) {
          throw Self.wrongWireType(field, wireType, descriptor)
        }
        try reader.skip(wireType == 1 ? 8 : 4, end: end, context: descriptor)
      case 2:
        let length = try reader.readVarint(end: end, context: descriptor)
        guard length <= UInt64(end - reader.offset) else {
          throw ProtobufDecodingError(
            .truncated,
            "\(Self.fieldName(field, descriptor)) declares \(length) bytes but only \(end - reader.offset) remain"
          )
        }
        let fieldEnd = reader.offset + Int(length)
        if let field {
          try Self.validateLengthDelimited(
            &reader,
            end: fieldEnd,
            field: field,
            descriptor: descriptor,
            depth: depth,
            maxDepth: maxDepth
          )
        }
        reader.offset = fieldEnd
      case 3, 4:
        throw ProtobufDecodingError(
          .unsupportedWireType,
          "\(Self.name(of: descriptor)) field \(fieldNumber) uses groups (wire type \(wireType)), which proto3 does not have"
        )
      default:
        throw ProtobufDecodingError(
          .unsupportedWireType,
          "\(Self.name(of: descriptor)) field \(fieldNumber) has invalid wire type \(wireType)"
        )
      }
    }
  }

  private static func validateLengthDelimited(
    _ reader: inout Reader,
    end: Int,
    field: UnsafePointer<ProtobufCFieldDescriptor>,
    descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
    depth: Int,
    maxDepth: Int
  ) throws(ProtobufDecodingError) {
    switch field.pointee.type {
    case PROTOBUF_C_TYPE_STRING:
      let length = end - reader.offset
      if length > 0, memchr(reader.bytes.baseAddress! + reader.offset, 0, length) != nil {
        throw ProtobufDecodingError(
          .embeddedNUL,
          "\(Self.fieldName(field, descriptor)) contains U+0000, which this codec cannot represent"
        )
      }
    case PROTOBUF_C_TYPE_BYTES:
      break
    case PROTOBUF_C_TYPE_MESSAGE:
      let nested = field.pointee.descriptor.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
      try Self.validateMessage(&reader, end: end, descriptor: nested, depth: depth + 1, maxDepth: maxDepth)
    default:
      guard field.pointee.label == PROTOBUF_C_LABEL_REPEATED else {
        throw Self.wrongWireType(field, 2, descriptor)
      }
      // A packed run of scalars: varints must be well formed, fixed widths must divide evenly.
      switch Self.scalarWireType(field.pointee.type) {
      case 0:
        while reader.offset < end { _ = try reader.readVarint(end: end, context: descriptor) }
      case let wireType:
        let width = wireType == 1 ? 8 : 4
        guard (end - reader.offset) % width == 0 else {
          throw ProtobufDecodingError(
            .truncated,
            "\(Self.fieldName(field, descriptor)) has a packed run that is not a multiple of \(width) bytes"
          )
        }
      }
    }
  }

  /// The hinted field, else a binary search: protoc-c emits each message's fields sorted by
  /// number.
  @inline(__always)
  private static func field(
    numbered number: UInt32,
    in fields: UnsafePointer<ProtobufCFieldDescriptor>?,
    count: Int,
    hint: inout Int
  ) -> UnsafePointer<ProtobufCFieldDescriptor>? {
    guard let fields else { return nil }
    if hint < count, fields[hint].id == number {
      hint += 1
      return fields + (hint - 1)
    }
    var low = 0
    var high = count
    while low < high {
      let middle = (low + high) / 2
      let id = (fields + middle).pointee.id
      if id == number {
        hint = middle + 1
        return fields + middle
      }
      if id < number { low = middle + 1 } else { high = middle }
    }
    return nil
  }

  private static func scalarWireType(_ type: ProtobufCType) -> UInt8 {
    switch type {
    case PROTOBUF_C_TYPE_FIXED64, PROTOBUF_C_TYPE_SFIXED64, PROTOBUF_C_TYPE_DOUBLE: 1
    case PROTOBUF_C_TYPE_FIXED32, PROTOBUF_C_TYPE_SFIXED32, PROTOBUF_C_TYPE_FLOAT: 5
    case PROTOBUF_C_TYPE_STRING, PROTOBUF_C_TYPE_BYTES, PROTOBUF_C_TYPE_MESSAGE: 2
    default: 0
    }
  }

  private static func accepts(_ field: UnsafePointer<ProtobufCFieldDescriptor>, wireType: UInt8) -> Bool {
    Self.scalarWireType(field.pointee.type) == wireType
  }

  private static func wrongWireType(
    _ field: UnsafePointer<ProtobufCFieldDescriptor>,
    _ wireType: UInt8,
    _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>
  ) -> ProtobufDecodingError {
    ProtobufDecodingError(
      .wrongWireType,
      "\(Self.fieldName(field, descriptor)) arrived with wire type \(wireType), expected \(Self.scalarWireType(field.pointee.type))"
    )
  }

  static func name(of descriptor: UnsafePointer<ProtobufCMessageDescriptor>) -> String {
    descriptor.pointee.name.map { String(cString: $0) } ?? "message"
  }

  private static func fieldName(
    _ field: UnsafePointer<ProtobufCFieldDescriptor>?,
    _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>
  ) -> String {
    guard let field, let name = field.pointee.name else { return "a field of \(Self.name(of: descriptor))" }
    return "field \(Self.name(of: descriptor)).\(String(cString: name))"
  }

  private struct Reader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    init(bytes: UnsafeRawBufferPointer) {
      self.bytes = bytes
    }

    @inline(__always)
    mutating func readVarint(
      end: Int,
      context: UnsafePointer<ProtobufCMessageDescriptor>
    ) throws(ProtobufDecodingError) -> UInt64 {
      // Most tags and lengths fit one byte.
      if self.offset < end {
        let first = self.bytes[self.offset]
        if first < 0x80 {
          self.offset += 1
          return UInt64(first)
        }
      }
      return try self.readLongVarint(end: end, context: context)
    }

    mutating func readLongVarint(
      end: Int,
      context: UnsafePointer<ProtobufCMessageDescriptor>
    ) throws(ProtobufDecodingError) -> UInt64 {
      var result: UInt64 = 0
      var shift: UInt64 = 0
      while self.offset < end {
        let byte = self.bytes[self.offset]
        self.offset += 1
        if shift == 63 && byte > 1 {
          throw ProtobufDecodingError(.malformed, "\(WireValidator.name(of: context)) has a varint longer than 64 bits")
        }
        result |= UInt64(byte & 0x7F) << shift
        if byte & 0x80 == 0 { return result }
        shift += 7
      }
      throw ProtobufDecodingError(.truncated, "\(WireValidator.name(of: context)) ends inside a varint")
    }

    mutating func skip(
      _ count: Int,
      end: Int,
      context: UnsafePointer<ProtobufCMessageDescriptor>
    ) throws(ProtobufDecodingError) {
      guard end - self.offset >= count else {
        throw ProtobufDecodingError(.truncated, "\(WireValidator.name(of: context)) ends inside a \(count)-byte value")
      }
      self.offset += count
    }
  }
}
