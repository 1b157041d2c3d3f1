/// The outcome of an RPC as carried on the wire: a code and a message.
///
/// `Status` is what a call ends with, success included. ``RPCError`` is the thrown form of a
/// status that is not ``Code/ok``.
public struct Status: Sendable, Hashable, CustomStringConvertible {
  /// The status code.
  public var code: Code
  /// A developer-facing message; may be empty.
  public var message: String

  /// Creates a status.
  /// - Parameters:
  ///   - code: The status code.
  ///   - message: A developer-facing message.
  public init(code: Code, message: String = "") {
    self.code = code
    self.message = message
  }

  /// The status of a successful call.
  public static let ok = Status(code: .ok)

  public var description: String {
    self.message.isEmpty ? "\(self.code)" : "\(self.code): \(self.message)"
  }
}

extension Status {
  /// One of the 17 gRPC status codes (grpc/grpc `doc/statuscodes.md`).
  ///
  /// A struct over a private enum, so that switching over it needs a default and new codes
  /// cannot break callers.
  public struct Code: Sendable, Hashable, CustomStringConvertible {
    private enum Wrapped: Int, Sendable, Hashable, CaseIterable {
      case ok = 0
      case cancelled = 1
      case unknown = 2
      case invalidArgument = 3
      case deadlineExceeded = 4
      case notFound = 5
      case alreadyExists = 6
      case permissionDenied = 7
      case resourceExhausted = 8
      case failedPrecondition = 9
      case aborted = 10
      case outOfRange = 11
      case unimplemented = 12
      case `internal` = 13
      case unavailable = 14
      case dataLoss = 15
      case unauthenticated = 16
    }

    private let wrapped: Wrapped

    private init(_ wrapped: Wrapped) {
      self.wrapped = wrapped
    }

    /// Creates a code from its wire value, or `nil` if the value is not a known code.
    /// - Parameter rawValue: The numeric code, 0 to 16.
    public init?(rawValue: Int) {
      guard let wrapped = Wrapped(rawValue: rawValue) else { return nil }
      self.wrapped = wrapped
    }

    /// The numeric wire value.
    public var rawValue: Int { self.wrapped.rawValue }

    /// All 17 codes, in numeric order.
    public static let allCases: [Code] = Wrapped.allCases.map { Code($0) }

    public static let ok = Code(.ok)
    public static let cancelled = Code(.cancelled)
    public static let unknown = Code(.unknown)
    public static let invalidArgument = Code(.invalidArgument)
    public static let deadlineExceeded = Code(.deadlineExceeded)
    public static let notFound = Code(.notFound)
    public static let alreadyExists = Code(.alreadyExists)
    public static let permissionDenied = Code(.permissionDenied)
    public static let resourceExhausted = Code(.resourceExhausted)
    public static let failedPrecondition = Code(.failedPrecondition)
    public static let aborted = Code(.aborted)
    public static let outOfRange = Code(.outOfRange)
    public static let unimplemented = Code(.unimplemented)
    public static let `internal` = Code(.internal)
    public static let unavailable = Code(.unavailable)
    public static let dataLoss = Code(.dataLoss)
    public static let unauthenticated = Code(.unauthenticated)

    /// The canonical upper-snake name, as gRPC documents it (`NOT_FOUND`).
    public var name: String {
      switch self.wrapped {
      case .ok: "OK"
      case .cancelled: "CANCELLED"
      case .unknown: "UNKNOWN"
      case .invalidArgument: "INVALID_ARGUMENT"
      case .deadlineExceeded: "DEADLINE_EXCEEDED"
      case .notFound: "NOT_FOUND"
      case .alreadyExists: "ALREADY_EXISTS"
      case .permissionDenied: "PERMISSION_DENIED"
      case .resourceExhausted: "RESOURCE_EXHAUSTED"
      case .failedPrecondition: "FAILED_PRECONDITION"
      case .aborted: "ABORTED"
      case .outOfRange: "OUT_OF_RANGE"
      case .unimplemented: "UNIMPLEMENTED"
      case .internal: "INTERNAL"
      case .unavailable: "UNAVAILABLE"
      case .dataLoss: "DATA_LOSS"
      case .unauthenticated: "UNAUTHENTICATED"
      }
    }

    public var description: String { self.name }
  }
}
