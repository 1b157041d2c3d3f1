/// Runs around every server handler: for authentication, logging, metrics.
///
/// Interceptors run in the order the server lists them, the first outermost. One may answer
/// itself by throwing an ``RPCError`` instead of calling `next`.
public protocol ServerInterceptor: Sendable {
  /// Intercepts one call.
  /// - Parameters:
  ///   - request: The decoded request.
  ///   - context: The call's context.
  ///   - next: The rest of the chain, ending in the handler.
  func intercept<Input: Sendable, Output: Sendable>(
    request: ServerRequest<Input>,
    context: ServerContext,
    next: (ServerRequest<Input>, ServerContext) async throws -> ServerResponse<Output>
  ) async throws -> ServerResponse<Output>
}

/// Runs around every client call: for credentials, logging, metrics.
///
/// Interceptors run in the order the client lists them, the first outermost.
public protocol ClientInterceptor: Sendable {
  /// Intercepts one call.
  /// - Parameters:
  ///   - request: The request about to be sent.
  ///   - context: The call's context.
  ///   - next: The rest of the chain, ending in the transport.
  func intercept<Input: Sendable, Output: Sendable>(
    request: ClientRequest<Input>,
    context: ClientContext,
    next: (ClientRequest<Input>, ClientContext) async throws -> ClientResponse<Output>
  ) async throws -> ClientResponse<Output>
}
