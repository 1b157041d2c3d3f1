/// A message that travels in an RPC: it can be decoded from and encoded to bytes.
///
/// Generated message types conform through their codec (protoc-c for protobuf). The transport
/// decodes straight from its receive buffer and encodes straight into its send buffer, so the
/// requirements are phrased over raw memory; the `[UInt8]` conveniences sit on top.
public protocol RPCMessage: Sendable {
  /// Decodes a message.
  /// - Parameter bytes: The encoded message; only valid for the duration of the call.
  init(serializedBytes bytes: UnsafeRawBufferPointer) throws

  /// Encodes the message, appending it to `target`.
  /// - Parameter target: Where the bytes go.
  func serialize<Target: SerializationTarget>(into target: inout Target) throws
}

/// A byte buffer that encoded messages can be appended to without an intermediate copy.
public protocol SerializationTarget {
  /// Appends exactly `count` bytes, which `initialize` writes.
  /// - Parameters:
  ///   - count: The number of bytes to append.
  ///   - initialize: Writes all `count` bytes into the memory it is given.
  mutating func appendSerialized(count: Int, _ initialize: (UnsafeMutableRawBufferPointer) -> Void)
}

extension Array: SerializationTarget where Element == UInt8 {
  public mutating func appendSerialized(
    count: Int,
    _ initialize: (UnsafeMutableRawBufferPointer) -> Void
  ) {
    if self.isEmpty {
      // The common case, a fresh array: skip zero-filling memory that is overwritten at once.
      self = Array(unsafeUninitializedCapacity: count) { buffer, initializedCount in
        initialize(UnsafeMutableRawBufferPointer(buffer))
        initializedCount = count
      }
      return
    }
    let start = self.count
    self.append(contentsOf: repeatElement(0, count: count))
    self.withUnsafeMutableBytes { bytes in
      initialize(UnsafeMutableRawBufferPointer(rebasing: bytes[start...]))
    }
  }
}

extension RPCMessage {
  /// Decodes a message from bytes.
  /// - Parameter bytes: The encoded message.
  public init(serializedBytes bytes: [UInt8]) throws {
    self = try bytes.withUnsafeBytes { try Self(serializedBytes: $0) }
  }

  /// Encodes the message into a new array.
  public func serializedBytes() throws -> [UInt8] {
    var bytes: [UInt8] = []
    try self.serialize(into: &bytes)
    return bytes
  }
}
