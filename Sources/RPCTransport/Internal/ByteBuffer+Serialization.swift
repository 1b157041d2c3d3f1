public import NIOCore
public import RPCCore

extension ByteBuffer: SerializationTarget {
  /// Encoded messages go straight into the buffer the frames are written from.
  public mutating func appendSerialized(count: Int, _ initialize: (UnsafeMutableRawBufferPointer) -> Void) {
    self.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { bytes in
      initialize(UnsafeMutableRawBufferPointer(rebasing: bytes[..<count]))
      return count
    }
  }
}
