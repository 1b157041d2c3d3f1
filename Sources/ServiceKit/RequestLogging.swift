public import Logging
public import RPCCore

#if canImport(Glibc)
import Glibc
#endif

/// Logs one structured line per call (method, status, duration, request id) and makes the
/// call's `x-request-id` follow it into every call its handler makes downstream.
public struct RequestLoggingInterceptor: ServerInterceptor {
  /// The metadata key of the request id.
  public static let requestIDKey = "x-request-id"
  private let logger: Logger

  /// Creates the interceptor.
  /// - Parameter logger: Where call lines go.
  public init(logger: Logger) {
    self.logger = logger
  }

  public func intercept<Input: Sendable, Output: Sendable>(
    request: ServerRequest<Input>,
    context: ServerContext,
    next: (ServerRequest<Input>, ServerContext) async throws -> ServerResponse<Output>
  ) async throws -> ServerResponse<Output> {
    let start = ContinuousClock.now
    let requestID = request.metadata.firstString(forKey: Self.requestIDKey).flatMap(Self.validRequestID) ?? Self.newRequestID()
    var scope = CallScope.current
    scope.propagatedMetadata.replaceOrAddString(requestID, forKey: Self.requestIDKey)
    var status = Status.ok
    defer {
      let elapsed = ContinuousClock.now - start
      let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
      var metadata: Logger.Metadata = [
        "method": "\(context.descriptor.path)",
        "status": "\(status.code.name)",
        "duration_ms": "\((milliseconds * 1000).rounded() / 1000)",
        "request_id": "\(requestID)",
        "peer": "\(context.peer)",
      ]
      if status.code != .ok { metadata["message"] = "\(status.message)" }
      self.logger.info("rpc", metadata: metadata)
    }
    do {
      return try await CallScope.$current.withValue(scope) {
        try await next(request, context)
      }
    } catch {
      status = RPCError(converting: error).status
      throw error
    }
  }

  /// A request id is kept if it is printable ASCII of at most 128 characters.
  static func validRequestID(_ value: String) -> String? {
    guard !value.isEmpty, value.utf8.count <= 128, Metadata.isValidTextValue(value) else { return nil }
    return value
  }

  /// A new random request id: 128 bits, hex.
  public static func newRequestID() -> String {
    let high = UInt64.random(in: .min ... .max)
    let low = UInt64.random(in: .min ... .max)
    return Self.hex(high) + Self.hex(low)
  }

  private static func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }
}
