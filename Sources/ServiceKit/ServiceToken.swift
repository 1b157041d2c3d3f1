public import RPCCore

/// The shared credential services present to each other in `x-service-token` metadata.
///
/// When a token is configured, every call without the matching token is refused with
/// `UNAUTHENTICATED`; health checks are exempt so that orchestrators can probe without it.
public struct ServiceTokenInterceptor: ServerInterceptor {
  /// The metadata key carrying the token.
  public static let metadataKey = "x-service-token"
  private let token: [UInt8]

  /// Creates the interceptor.
  /// - Parameter token: The expected token; must not be empty.
  public init(token: String) {
    self.token = Array(token.utf8)
  }

  public func intercept<Input: Sendable, Output: Sendable>(
    request: ServerRequest<Input>,
    context: ServerContext,
    next: (ServerRequest<Input>, ServerContext) async throws -> ServerResponse<Output>
  ) async throws -> ServerResponse<Output> {
    if context.descriptor.service != "grpc.health.v1.Health" {
      guard let presented = request.metadata.firstString(forKey: Self.metadataKey) else {
        throw RPCError(code: .unauthenticated, message: "missing \(Self.metadataKey) metadata")
      }
      guard Self.constantTimeEqual(Array(presented.utf8), self.token) else {
        throw RPCError(code: .unauthenticated, message: "invalid \(Self.metadataKey)")
      }
    }
    return try await next(request, context)
  }

  /// Compares without an early exit, so timing does not reveal how much of a guess was right.
  static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    guard lhs.count == rhs.count else { return false }
    var difference: UInt8 = 0
    for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
    return difference == 0
  }
}

/// Adds the service token to every outgoing call.
public struct ServiceTokenClientInterceptor: ClientInterceptor {
  private let token: String

  /// Creates the interceptor.
  /// - Parameter token: The token to present.
  public init(token: String) {
    self.token = token
  }

  public func intercept<Input: Sendable, Output: Sendable>(
    request: ClientRequest<Input>,
    context: ClientContext,
    next: (ClientRequest<Input>, ClientContext) async throws -> ClientResponse<Output>
  ) async throws -> ClientResponse<Output> {
    var request = request
    request.metadata.replaceOrAddString(self.token, forKey: ServiceTokenInterceptor.metadataKey)
    return try await next(request, context)
  }
}
