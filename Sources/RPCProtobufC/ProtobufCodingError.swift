/// Why bytes did not decode into a message.
public struct ProtobufDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The kind of failure.
  public struct Code: Sendable, Hashable, CustomStringConvertible {
    private enum Wrapped: Sendable, Hashable {
      case truncated, invalidTag, wrongWireType, unsupportedWireType, depthLimitExceeded
      case messageTooLarge, allocationLimitExceeded, invalidUTF8, embeddedNUL, malformed
    }
    private let wrapped: Wrapped
    private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

    /// The input ends inside a varint, a fixed-width value or a length-delimited field.
    public static let truncated = Code(.truncated)
    /// A tag with field number 0 or above 2^29-1.
    public static let invalidTag = Code(.invalidTag)
    /// A known field arrived with a wire type its declared type cannot have.
    public static let wrongWireType = Code(.wrongWireType)
    /// Wire types 3, 4 (groups), 6 and 7, which proto3 never produces.
    public static let unsupportedWireType = Code(.unsupportedWireType)
    /// Messages nested deeper than the limit.
    public static let depthLimitExceeded = Code(.depthLimitExceeded)
    /// The input is larger than the limit.
    public static let messageTooLarge = Code(.messageTooLarge)
    /// Decoding would need more memory than the limit.
    public static let allocationLimitExceeded = Code(.allocationLimitExceeded)
    /// A string field is not valid UTF-8, which proto3 requires.
    public static let invalidUTF8 = Code(.invalidUTF8)
    /// A string field contains U+0000, which the C codec would silently truncate at.
    public static let embeddedNUL = Code(.embeddedNUL)
    /// The C codec refused the input.
    public static let malformed = Code(.malformed)

    public var description: String { "\(self.wrapped)" }
  }

  /// The kind of failure.
  public let code: Code
  /// What failed, naming the field where one is known.
  public let message: String

  /// Creates an error.
  /// - Parameters:
  ///   - code: The kind of failure.
  ///   - message: What failed.
  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { "protobuf decoding failed (\(self.code)): \(self.message)" }
}

/// Why a message did not encode.
public struct ProtobufEncodingError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The kind of failure.
  public struct Code: Sendable, Hashable, CustomStringConvertible {
    private enum Wrapped: Sendable, Hashable { case embeddedNUL, messageTooLarge }
    private let wrapped: Wrapped
    private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

    /// A string field contains U+0000, which the C codec cannot represent.
    public static let embeddedNUL = Code(.embeddedNUL)
    /// The encoding would exceed 2 GiB, the protobuf limit.
    public static let messageTooLarge = Code(.messageTooLarge)

    public var description: String { "\(self.wrapped)" }
  }

  /// The kind of failure.
  public let code: Code
  /// What failed, naming the field.
  public let message: String

  /// Creates an error.
  /// - Parameters:
  ///   - code: The kind of failure.
  ///   - message: What failed.
  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { "protobuf encoding failed (\(self.code)): \(self.message)" }
}

/// Bounds on what decoding untrusted bytes may cost.
public struct DecodingLimits: Sendable, Hashable {
  /// The largest input accepted, in bytes.
  public var maxMessageBytes: Int
  /// How deeply messages may nest; protobuf implementations use 100.
  public var maxDepth: Int
  /// The most memory the C codec may allocate for one message, in bytes. Unpacked structs are
  /// larger than their encoding (an empty submessage takes 2 bytes on the wire and a struct in
  /// memory), so this bounds the amplification.
  public var maxAllocationBytes: Int

  /// Creates limits.
  /// - Parameters:
  ///   - maxMessageBytes: The largest input accepted.
  ///   - maxDepth: The deepest nesting accepted.
  ///   - maxAllocationBytes: The most memory decoding may use.
  public init(maxMessageBytes: Int, maxDepth: Int, maxAllocationBytes: Int) {
    self.maxMessageBytes = maxMessageBytes
    self.maxDepth = maxDepth
    self.maxAllocationBytes = maxAllocationBytes
  }

  /// 64 MiB of input, depth 100, 256 MiB of memory. Transports apply their own, smaller message
  /// limit (4 MiB by default) before decoding.
  public static let `default` = DecodingLimits(
    maxMessageBytes: 64 << 20,
    maxDepth: 100,
    maxAllocationBytes: 256 << 20
  )
}
