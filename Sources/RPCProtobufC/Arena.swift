internal import CProtobufC

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Bump allocation for one encode or decode: the first chunk lives on the stack, further chunks
/// on the heap, and everything is released at once when the scope ends. So no C struct outlives
/// its operation and no path can leak one, and the common small message costs no `malloc`.
struct ArenaStorage {
  private static let alignment = 16

  private var chunk: UnsafeMutableRawPointer
  private var used: Int
  private var capacity: Int
  private var heapChunks: [UnsafeMutableRawPointer] = []
  private var heapBytes = 0
  private let maxHeapBytes: Int
  /// Set once an allocation was refused, so that a NULL from protobuf-c can be told apart.
  private(set) var exhausted = false

  init(initialChunk: UnsafeMutableRawBufferPointer, maxHeapBytes: Int) {
    self.chunk = initialChunk.baseAddress!
    self.used = 0
    self.capacity = initialChunk.count
    self.maxHeapBytes = maxHeapBytes
  }

  /// 16-byte aligned memory, or `nil` once the heap budget is spent.
  mutating func allocate(byteCount: Int) -> UnsafeMutableRawPointer? {
    let size = max(byteCount, 1)
    let start = (self.used + Self.alignment - 1) & ~(Self.alignment - 1)
    if start + size <= self.capacity {
      self.used = start + size
      return self.chunk + start
    }
    let chunkSize = max(size, min(self.capacity * 2, 1 << 20))
    guard self.heapBytes + chunkSize <= self.maxHeapBytes,
      let fresh = malloc(chunkSize)
    else {
      self.exhausted = true
      return nil
    }
    self.heapChunks.append(fresh)
    self.heapBytes += chunkSize
    self.chunk = fresh
    self.capacity = chunkSize
    self.used = size
    return fresh
  }

  func releaseHeapChunks() {
    for chunk in self.heapChunks { free(chunk) }
  }

  /// Runs `body` with an arena whose first chunk of `stackBytes` is on the stack.
  static func with<Result, Failure: Error>(
    stackBytes: Int,
    maxHeapBytes: Int,
    _ body: (UnsafeMutablePointer<ArenaStorage>) throws(Failure) -> Result
  ) throws(Failure) -> Result {
    try withUnsafeTemporaryAllocation(byteCount: stackBytes, alignment: Self.alignment) {
      (stack) throws(Failure) -> Result in
      try withUnsafeTemporaryAllocation(of: ArenaStorage.self, capacity: 1) {
        (storage) throws(Failure) -> Result in
        let arena = storage.baseAddress!
        arena.initialize(to: ArenaStorage(initialChunk: stack, maxHeapBytes: maxHeapBytes))
        defer {
          arena.pointee.releaseHeapChunks()
          arena.deinitialize(count: 1)
        }
        return try body(arena)
      }
    }
  }
}

/// Where generated code builds the C structs of a message about to be encoded.
///
/// Only generated code uses this type; it exists for the duration of one encode.
public struct EncodeArena: ~Copyable {
  private let storage: UnsafeMutablePointer<ArenaStorage>

  init(storage: UnsafeMutablePointer<ArenaStorage>) {
    self.storage = storage
  }

  /// Memory for `count` values of `type`, zeroed.
  /// - Parameters:
  ///   - type: The C type.
  ///   - count: How many.
  public mutating func allocate<T>(_ type: T.Type, count: Int = 1) -> UnsafeMutablePointer<T> {
    let bytes = MemoryLayout<T>.stride * count
    guard let raw = self.storage.pointee.allocate(byteCount: bytes) else {
      fatalError("out of memory encoding a protobuf message")
    }
    memset(raw, 0, bytes)
    return raw.bindMemory(to: type, capacity: count)
  }

  /// A NUL-terminated copy of `value`.
  /// - Parameters:
  ///   - value: The string.
  ///   - field: The field's full name, for the error.
  /// - Throws: `embeddedNUL` if `value` contains U+0000, which a C string cannot hold.
  public mutating func string(
    _ value: String,
    field: StaticString
  ) throws(ProtobufEncodingError) -> UnsafeMutablePointer<CChar> {
    var value = value
    let count = value.utf8.count
    // Even "" gets its own byte: protobuf-c skips a oneof string whose pointer is the shared
    // default empty string, so that pointer would drop a oneof set to "".
    let destination = self.allocate(CChar.self, count: count + 1)
    if count == 0 { return destination }
    let hasNUL = value.withUTF8 { source in
      memcpy(destination, source.baseAddress!, count)
      return memchr(source.baseAddress!, 0, count) != nil
    }
    if hasNUL {
      throw ProtobufEncodingError(
        .embeddedNUL,
        "field \(field) contains U+0000, which the protobuf-c codec cannot represent"
      )
    }
    destination[count] = 0
    return destination
  }

  /// A copy of `value` for a `bytes` field: its length and data.
  /// - Parameter value: The bytes.
  public mutating func bytes(_ value: [UInt8]) -> (count: Int, data: UnsafeMutablePointer<UInt8>?) {
    guard !value.isEmpty else { return (0, nil) }
    let destination = self.allocate(UInt8.self, count: value.count)
    value.withUnsafeBufferPointer { source in
      _ = memcpy(destination, source.baseAddress!, value.count)
    }
    return (value.count, destination)
  }

  /// A copy of a repeated scalar field's values.
  /// - Parameter values: The values, of a C-compatible type.
  public mutating func array<T: BitwiseCopyable>(_ values: [T]) -> UnsafeMutablePointer<T>? {
    guard !values.isEmpty else { return nil }
    let destination = self.allocate(T.self, count: values.count)
    values.withUnsafeBufferPointer { source in
      destination.initialize(from: source.baseAddress!, count: values.count)
    }
    return destination
  }
}
