public import Logging
public import RPCCore
internal import Synchronization

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
      if self.logger.logLevel <= .info {
        let elapsed = ContinuousClock.now - start
        let microseconds = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        var fields: [(key: String, value: String)] = [
          ("method", context.descriptor.path),
          ("status", status.code.name),
          ("duration_ms", Self.milliseconds(microseconds)),
          ("request_id", requestID),
          ("peer", context.peer),
        ]
        if status.code != .ok { fields.append(("message", status.message)) }
        // In LineLogHandler's format without a metadata dictionary, batched with the loop's other lines.
        LineLogHandler.writeLineBatched(label: self.logger.label, level: .info, message: "rpc", fields: fields)
      }
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

  /// Microseconds as milliseconds with three decimals, without going through Double.
  public static func milliseconds(_ microseconds: Int64) -> String {
    let fraction = String(microseconds % 1000)
    return "\(microseconds / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
  }

  /// A request id is kept if it is printable ASCII of at most 128 characters.
  static func validRequestID(_ value: String) -> String? {
    guard !value.isEmpty, value.utf8.count <= 128, Metadata.isValidTextValue(value) else { return nil }
    return value
  }

  /// A new request id: 32 hex digits, unique within the process and unpredictable across
  /// processes.
  ///
  /// The first half is random per process; the second is a counter scrambled by SplitMix64, a
  /// bijection, so two ids of one process never collide. Unlike drawing 128 fresh random bits,
  /// this makes no system call per request.
  public static func newRequestID() -> String {
    let count = Self.issued.add(1, ordering: .relaxed).newValue
    var mixed = count &+ Self.processSalt.1
    mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
    mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
    mixed ^= mixed >> 31
    var digits = [UInt8](repeating: 0, count: 32)
    for index in 0..<32 {
      let word = index < 16 ? Self.processSalt.0 : mixed
      digits[index] = Self.hexDigits[Int((word >> UInt64(60 - (index % 16) * 4)) & 0xF)]
    }
    return String(decoding: digits, as: UTF8.self)
  }

  private static let issued = Atomic<UInt64>(0)
  private static let processSalt = (UInt64.random(in: .min ... .max), UInt64.random(in: .min ... .max))
  private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
