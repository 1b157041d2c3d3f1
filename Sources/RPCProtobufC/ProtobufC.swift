internal import CProtobufC
public import RPCCore

/// A message whose codec is protoc-c's C code; generated types conform.
///
/// The underscored requirements are the bridge generated code implements: they move values
/// between Swift and the C structs protoc-c generated, through opaque pointers so that no C type
/// appears in a public interface.
public protocol ProtobufMessage: RPCMessage, Hashable {
  /// The protobuf full name, such as `user.v1.User`.
  static var protoMessageName: String { get }
  /// The protoc-c descriptor of the message.
  static var _protobufCDescriptor: ProtobufCDescriptor { get }
  /// Copies an unpacked C struct into Swift values.
  init(_protobufC message: UnsafeRawPointer) throws(ProtobufDecodingError)
  /// Builds the C struct of this message in `arena`.
  func _protobufC(in arena: inout EncodeArena) throws(ProtobufEncodingError) -> UnsafeMutableRawPointer
}

/// The address of a protoc-c message descriptor, a static C constant.
public struct ProtobufCDescriptor: @unchecked Sendable {
  // @unchecked: the descriptor is immutable C data with static lifetime.
  let pointer: UnsafePointer<ProtobufCMessageDescriptor>

  /// Takes the descriptor from a C struct its `__init` function has initialised.
  /// - Parameter initializedMessage: A message struct whose first member, `base`, is set.
  public init(initializedMessage: UnsafeRawPointer) {
    let base = initializedMessage.assumingMemoryBound(to: ProtobufCMessage.self)
    self.pointer = base.pointee.descriptor
  }
}

extension ProtobufMessage {
  /// Decodes a message, within limits.
  /// - Parameters:
  ///   - bytes: The encoded message.
  ///   - limits: Bounds on size, depth and memory.
  @inlinable
  public init(
    serializedBytes bytes: UnsafeRawBufferPointer,
    limits: DecodingLimits
  ) throws(ProtobufDecodingError) {
    self = try ProtobufCCodec.decode(bytes, descriptor: Self._protobufCDescriptor, limits: limits) {
      (message) throws(ProtobufDecodingError) in try Self(_protobufC: message)
    }
  }

  @inlinable
  public init(serializedBytes bytes: UnsafeRawBufferPointer) throws {
    try self.init(serializedBytes: bytes, limits: .default)
  }

  @inlinable
  public func serialize<Target: SerializationTarget>(into target: inout Target) throws {
    try ProtobufCCodec.encode(into: &target) { (arena) throws(ProtobufEncodingError) in
      try self._protobufC(in: &arena)
    }
  }
}

/// Runs protoc-c's pack and unpack inside arenas.
public enum ProtobufCCodec {
  /// Decodes `bytes`: validates them, unpacks them with protobuf-c into an arena, and lets
  /// `convert` copy the C struct into Swift values before the arena is released.
  /// - Parameters:
  ///   - bytes: The encoded message.
  ///   - descriptor: The message's descriptor.
  ///   - limits: Bounds on size, depth and memory.
  ///   - convert: Copies the unpacked struct; it must not keep the pointer.
  public static func decode<Message>(
    _ bytes: UnsafeRawBufferPointer,
    descriptor: ProtobufCDescriptor,
    limits: DecodingLimits,
    _ convert: (UnsafeRawPointer) throws(ProtobufDecodingError) -> Message
  ) throws(ProtobufDecodingError) -> Message {
    guard bytes.count <= limits.maxMessageBytes else {
      throw ProtobufDecodingError(
        .messageTooLarge,
        "\(WireValidator.name(of: descriptor.pointer)) is \(bytes.count) bytes, over the \(limits.maxMessageBytes)-byte limit"
      )
    }
    try WireValidator.validate(bytes, descriptor: descriptor.pointer, maxDepth: limits.maxDepth)
    // Unpacked structs take roughly 2-4 times their encoding; start on the stack for small ones.
    return try ArenaStorage.with(stackBytes: 4096, maxHeapBytes: limits.maxAllocationBytes) {
      (arena) throws(ProtobufDecodingError) -> Message in
      var allocator = ProtobufCAllocator(
        alloc: { data, size in
          data!.assumingMemoryBound(to: ArenaStorage.self).pointee.allocate(byteCount: size)
        },
        free: { _, _ in },
        allocator_data: UnsafeMutableRawPointer(arena)
      )
      var empty: UInt8 = 0
      let message = withUnsafeMutablePointer(to: &empty) { emptyPointer in
        protobuf_c_message_unpack(
          descriptor.pointer,
          &allocator,
          bytes.count,
          bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(emptyPointer)
        )
      }
      guard let message else {
        if arena.pointee.exhausted {
          throw ProtobufDecodingError(
            .allocationLimitExceeded,
            "\(WireValidator.name(of: descriptor.pointer)) could not be unpacked within \(limits.maxAllocationBytes) bytes of memory"
          )
        }
        throw ProtobufDecodingError(
          .malformed,
          "protobuf-c refused the encoding of \(WireValidator.name(of: descriptor.pointer))"
        )
      }
      return try convert(UnsafeRawPointer(message))
    }
  }

  /// Encodes a message: `build` creates its C struct in an arena, protobuf-c packs it straight
  /// into `target`.
  /// - Parameters:
  ///   - target: Where the bytes are appended.
  ///   - build: Builds the C struct and returns it.
  public static func encode<Target: SerializationTarget>(
    into target: inout Target,
    _ build: (inout EncodeArena) throws(ProtobufEncodingError) -> UnsafeMutableRawPointer
  ) throws(ProtobufEncodingError) {
    try ArenaStorage.with(stackBytes: 2048, maxHeapBytes: .max) {
      (storage) throws(ProtobufEncodingError) in
      var arena = EncodeArena(storage: storage)
      let raw = try build(&arena)
      let message = UnsafePointer(raw.assumingMemoryBound(to: ProtobufCMessage.self))
      let size = protobuf_c_message_get_packed_size(message)
      guard size <= Int(Int32.max) else {
        throw ProtobufEncodingError(
          .messageTooLarge,
          "\(WireValidator.name(of: message.pointee.descriptor)) would encode to \(size) bytes, over the 2 GiB protobuf limit"
        )
      }
      target.appendSerialized(count: size) { buffer in
        if size > 0 {
          _ = protobuf_c_message_pack(message, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
      }
    }
  }
}

