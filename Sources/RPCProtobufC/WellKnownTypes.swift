internal import CProtobufC
internal import CWellKnownTypes

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `google.protobuf.Timestamp`: a point in time, as seconds and nanoseconds since the Unix epoch
/// in UTC.
public struct Timestamp: Sendable, Hashable, Comparable {
  /// Seconds since 1970-01-01T00:00:00Z; from 0001-01-01 to 9999-12-31.
  public var seconds: Int64
  /// Nanoseconds within the second, 0 to 999,999,999.
  public var nanos: Int32

  /// Creates a timestamp.
  /// - Parameters:
  ///   - seconds: Seconds since the epoch.
  ///   - nanos: Nanoseconds within the second.
  public init(seconds: Int64 = 0, nanos: Int32 = 0) {
    self.seconds = seconds
    self.nanos = nanos
  }

  /// The current wall-clock time.
  public static func now() -> Timestamp {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Timestamp(seconds: Int64(spec.tv_sec), nanos: Int32(spec.tv_nsec))
  }

  public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
    (lhs.seconds, lhs.nanos) < (rhs.seconds, rhs.nanos)
  }
}

extension Timestamp: ProtobufMessage {
  public static let protoMessageName = "google.protobuf.Timestamp"

  public static let _protobufCDescriptor: ProtobufCDescriptor = {
    var message = Google__Protobuf__Timestamp()
    google__protobuf__timestamp__init(&message)
    return ProtobufCDescriptor(initializedMessage: &message)
  }()

  public init(_protobufC message: UnsafeRawPointer) throws(ProtobufDecodingError) {
    let c = message.assumingMemoryBound(to: Google__Protobuf__Timestamp.self)
    self.init(seconds: c.pointee.seconds, nanos: c.pointee.nanos)
  }

  public func _protobufC(
    in arena: inout EncodeArena
  ) throws(ProtobufEncodingError) -> UnsafeMutableRawPointer {
    let c = arena.allocate(Google__Protobuf__Timestamp.self)
    google__protobuf__timestamp__init(c)
    c.pointee.seconds = self.seconds
    c.pointee.nanos = self.nanos
    return UnsafeMutableRawPointer(c)
  }
}

/// `google.protobuf.Empty`: a message with no fields, for methods that take or return nothing.
public struct ProtobufEmpty: Sendable, Hashable {
  /// Creates the empty message.
  public init() {}
}

extension ProtobufEmpty: ProtobufMessage {
  public static let protoMessageName = "google.protobuf.Empty"

  public static let _protobufCDescriptor: ProtobufCDescriptor = {
    var message = Google__Protobuf__Empty()
    google__protobuf__empty__init(&message)
    return ProtobufCDescriptor(initializedMessage: &message)
  }()

  public init(_protobufC message: UnsafeRawPointer) throws(ProtobufDecodingError) {}

  public func _protobufC(
    in arena: inout EncodeArena
  ) throws(ProtobufEncodingError) -> UnsafeMutableRawPointer {
    let c = arena.allocate(Google__Protobuf__Empty.self)
    google__protobuf__empty__init(c)
    return UnsafeMutableRawPointer(c)
  }
}

/// Conversions for `google.protobuf.Duration` (as `Swift.Duration`) and the wrapper types (as
/// Swift optionals), which generated code calls instead of generating a type for each.
public enum WellKnownTypes {
  /// A `google.protobuf.Duration` field, or `nil` when absent.
  /// - Parameter pointer: The field's `Google__Protobuf__Duration *`.
  public static func duration(_ pointer: UnsafeRawPointer?) -> Duration? {
    guard let c = pointer?.assumingMemoryBound(to: Google__Protobuf__Duration.self) else {
      return nil
    }
    return .seconds(c.pointee.seconds) + .nanoseconds(Int64(c.pointee.nanos))
  }

  /// The C struct of a `google.protobuf.Duration` field.
  /// - Parameters:
  ///   - value: The field's value.
  ///   - arena: The encode arena.
  public static func duration(_ value: Duration?, in arena: inout EncodeArena) -> UnsafeMutableRawPointer? {
    guard let value else { return nil }
    let c = arena.allocate(Google__Protobuf__Duration.self)
    google__protobuf__duration__init(c)
    let (seconds, attoseconds) = value.components
    // Duration's sign rule: nanos has the sign of seconds, so round toward zero.
    c.pointee.seconds = seconds
    c.pointee.nanos = Int32(attoseconds / 1_000_000_000)
    if seconds < 0 && c.pointee.nanos > 0 {
      c.pointee.seconds += 1
      c.pointee.nanos -= 1_000_000_000
    }
    return UnsafeMutableRawPointer(c)
  }
}
