/// Carries client calls to a server: implemented by the HTTP/2 transport and by test transports.
public protocol ClientTransport: Sendable {
  /// Makes one unary call.
  ///
  /// - Parameters:
  ///   - request: The request, with its metadata.
  ///   - context: The method and the deadline, already resolved.
  ///   - options: The call's options.
  ///   - output: The response type.
  /// - Throws: ``RPCError`` for any failure, including a non-OK status from the server.
  func unary<Input: RPCMessage, Output: RPCMessage>(
    request: ClientRequest<Input>,
    context: ClientContext,
    options: CallOptions,
    output: Output.Type
  ) async throws -> ClientResponse<Output>
}

/// The entry point generated clients call: resolves the deadline, adds propagated metadata, runs
/// the interceptors and hands the call to the transport.
public struct RPCClient: Sendable {
  /// The transport calls go through.
  public let transport: any ClientTransport
  /// Interceptors, outermost first.
  public let interceptors: [any ClientInterceptor]

  /// Creates a client.
  /// - Parameters:
  ///   - transport: The transport calls go through.
  ///   - interceptors: Interceptors, outermost first.
  public init(transport: any ClientTransport, interceptors: [any ClientInterceptor] = []) {
    self.transport = transport
    self.interceptors = interceptors
  }

  /// Makes one unary call.
  ///
  /// The call's deadline is the earliest of `options` and the deadline of the server call this
  /// code runs in (``CallScope``). Metadata the scope propagates is added unless the request sets
  /// the same key.
  ///
  /// - Parameters:
  ///   - request: The request.
  ///   - descriptor: The method to call.
  ///   - options: Per-call options.
  ///   - output: The response type.
  /// - Throws: ``RPCError``.
  public func unary<Input: RPCMessage, Output: RPCMessage>(
    request: ClientRequest<Input>,
    descriptor: MethodDescriptor,
    options: CallOptions = .defaults,
    output: Output.Type = Output.self
  ) async throws(RPCError) -> ClientResponse<Output> {
    let scope = CallScope.current
    let deadline = options.effectiveDeadline(now: .now, inherited: scope.deadline)
    var request = request
    for entry in scope.propagatedMetadata where !request.metadata.contains(key: entry.key) {
      switch entry.value {
      case .string(let value): request.metadata.addString(value, forKey: entry.key)
      case .binary(let value): request.metadata.addBinary(value, forKey: entry.key)
      }
    }
    let context = ClientContext(descriptor: descriptor, deadline: deadline)
    do {
      return try await self.intercepted(
        request,
        context: context,
        options: options,
        interceptors: self.interceptors[...]
      )
    } catch {
      throw RPCError(converting: error)
    }
  }

  private func intercepted<Input: RPCMessage, Output: RPCMessage>(
    _ request: ClientRequest<Input>,
    context: ClientContext,
    options: CallOptions,
    interceptors: ArraySlice<any ClientInterceptor>
  ) async throws -> ClientResponse<Output> {
    guard let first = interceptors.first else {
      if let deadline = context.deadline, deadline <= .now {
        throw RPCError(
          code: .deadlineExceeded,
          message: "The deadline passed before the call to \(context.descriptor) started."
        )
      }
      return try await self.transport.unary(
        request: request,
        context: context,
        options: options,
        output: Output.self
      )
    }
    return try await first.intercept(request: request, context: context) { request, context in
      try await self.intercepted(
        request,
        context: context,
        options: options,
        interceptors: interceptors.dropFirst()
      )
    }
  }
}
