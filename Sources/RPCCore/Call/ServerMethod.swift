/// A service a server can serve: a list of methods.
///
/// Generated `ServiceProtocol`s conform; a handwritten service can too.
public protocol RPCService: Sendable {
  /// The methods of the service, with their handlers bound.
  var methods: [ServerMethod] { get }
}

/// One servable method, with its message types erased so that a transport can hold a table of
/// them. The transport decodes the request on its own thread, then runs the call.
public struct ServerMethod: Sendable {
  /// The method.
  public let descriptor: MethodDescriptor
  private let prepare:
    @Sendable (UnsafeRawBufferPointer, Metadata) throws(RPCError) -> PreparedServerCall

  /// Creates a unary method.
  /// - Parameters:
  ///   - descriptor: The method.
  ///   - input: The request type.
  ///   - output: The response type.
  ///   - handler: Answers one request.
  public static func unary<Input: RPCMessage, Output: RPCMessage>(
    _ descriptor: MethodDescriptor,
    input: Input.Type = Input.self,
    output: Output.Type = Output.self,
    handler:
      @escaping @Sendable (ServerRequest<Input>, ServerContext) async throws -> ServerResponse<
        Output
      >
  ) -> ServerMethod {
    ServerMethod(descriptor: descriptor) { bytes, metadata throws(RPCError) in
      let message: Input
      do {
        message = try Input(serializedBytes: bytes)
      } catch {
        throw RPCError(
          code: .internal,
          message: "Failed to decode the \(Input.self) request: \(error)",
          cause: error
        )
      }
      let request = ServerRequest(metadata: metadata, message: message)
      return PreparedServerCall { context, interceptors in
        await Self.run(request, context: context, interceptors: interceptors, handler: handler)
      }
    }
  }

  private init(
    descriptor: MethodDescriptor,
    prepare:
      @escaping @Sendable (UnsafeRawBufferPointer, Metadata) throws(RPCError) -> PreparedServerCall
  ) {
    self.descriptor = descriptor
    self.prepare = prepare
  }

  /// Decodes a request and binds it to the handler.
  /// - Parameters:
  ///   - message: The request message bytes, without the gRPC frame prefix.
  ///   - metadata: The request metadata.
  /// - Throws: `INTERNAL` if the request does not decode.
  public func prepareCall(
    message: UnsafeRawBufferPointer,
    metadata: Metadata
  ) throws(RPCError) -> PreparedServerCall {
    try self.prepare(message, metadata)
  }

  private static func run<Input: RPCMessage, Output: RPCMessage>(
    _ request: ServerRequest<Input>,
    context: ServerContext,
    interceptors: [any ServerInterceptor],
    handler: @Sendable (ServerRequest<Input>, ServerContext) async throws -> ServerResponse<Output>
  ) async -> ServerCallOutcome {
    var scope = CallScope.current
    scope.deadline = context.deadline
    return await CallScope.$current.withValue(scope) {
      do {
        let response = try await Self.intercepted(
          request,
          context: context,
          interceptors: interceptors[...],
          handler: handler
        )
        return ServerCallOutcome(
          metadata: response.metadata,
          result: .success(
            ServerCallOutcome.Reply(
              message: response.message,
              trailingMetadata: response.trailingMetadata
            )
          )
        )
      } catch {
        return ServerCallOutcome(metadata: [:], result: .failure(RPCError(converting: error)))
      }
    }
  }

  private static func intercepted<Input: RPCMessage, Output: RPCMessage>(
    _ request: ServerRequest<Input>,
    context: ServerContext,
    interceptors: ArraySlice<any ServerInterceptor>,
    handler: @Sendable (ServerRequest<Input>, ServerContext) async throws -> ServerResponse<Output>
  ) async throws -> ServerResponse<Output> {
    guard let first = interceptors.first else {
      return try await handler(request, context)
    }
    return try await first.intercept(request: request, context: context) { request, context in
      try await Self.intercepted(
        request,
        context: context,
        interceptors: interceptors.dropFirst(),
        handler: handler
      )
    }
  }
}

/// A decoded request bound to its handler, ready to run.
public struct PreparedServerCall: Sendable {
  private let body: @Sendable (ServerContext, [any ServerInterceptor]) async -> ServerCallOutcome

  fileprivate init(
    _ body: @escaping @Sendable (ServerContext, [any ServerInterceptor]) async -> ServerCallOutcome
  ) {
    self.body = body
  }

  /// Runs the interceptors and the handler. Never throws: a failure is part of the outcome.
  /// - Parameters:
  ///   - context: The call's context.
  ///   - interceptors: The server's interceptors, outermost first.
  public func run(
    context: ServerContext,
    interceptors: [any ServerInterceptor]
  ) async -> ServerCallOutcome {
    await self.body(context, interceptors)
  }
}

/// How a server call ended, ready for the transport to send.
public struct ServerCallOutcome: Sendable {
  /// A successful reply.
  public struct Reply: Sendable {
    /// The response message.
    public var message: any RPCMessage
    /// Trailers to send next to `grpc-status: 0`.
    public var trailingMetadata: Metadata
  }

  /// Response headers.
  public var metadata: Metadata
  /// The reply, or the error to send as the status.
  public var result: Result<Reply, RPCError>
}

/// The methods a server serves, by `:path`.
public struct RPCRouter: Sendable {
  private var methods: [String: ServerMethod] = [:]

  /// Creates a router for services.
  /// - Parameter services: The services to serve; a later method with the same path wins.
  public init(services: [any RPCService] = []) {
    for service in services { self.register(service) }
  }

  /// Adds the methods of a service.
  /// - Parameter service: The service to serve.
  public mutating func register(_ service: any RPCService) {
    for method in service.methods { self.methods[method.descriptor.path] = method }
  }

  /// The method for a request path, if it is served.
  /// - Parameter path: The `:path` of a request.
  public func method(forPath path: String) -> ServerMethod? {
    self.methods[path]
  }

  /// The fully qualified names of the services with at least one method.
  public var serviceNames: Set<String> {
    Set(self.methods.values.map(\.descriptor.service))
  }
}
