/// A request as a client sends it.
public struct ClientRequest<Message: Sendable>: Sendable {
  /// Sent as request headers.
  public var metadata: Metadata
  /// The request message.
  public var message: Message

  /// Creates a request.
  /// - Parameters:
  ///   - message: The request message.
  ///   - metadata: Request headers.
  public init(message: Message, metadata: Metadata = [:]) {
    self.metadata = metadata
    self.message = message
  }
}

/// A successful response as a client receives it.
public struct ClientResponse<Message: Sendable>: Sendable {
  /// The response headers.
  public var metadata: Metadata
  /// The response message.
  public var message: Message
  /// The trailers, without `grpc-status` and `grpc-message`.
  public var trailingMetadata: Metadata

  /// Creates a response.
  /// - Parameters:
  ///   - message: The response message.
  ///   - metadata: The response headers.
  ///   - trailingMetadata: The trailers.
  public init(message: Message, metadata: Metadata = [:], trailingMetadata: Metadata = [:]) {
    self.metadata = metadata
    self.message = message
    self.trailingMetadata = trailingMetadata
  }
}

/// What a client interceptor knows about the call.
public struct ClientContext: Sendable {
  /// The method being called.
  public let descriptor: MethodDescriptor
  /// The deadline the call runs under, if any.
  public var deadline: ContinuousClock.Instant?

  /// Creates a context.
  /// - Parameters:
  ///   - descriptor: The method being called.
  ///   - deadline: The call's deadline.
  public init(descriptor: MethodDescriptor, deadline: ContinuousClock.Instant?) {
    self.descriptor = descriptor
    self.deadline = deadline
  }
}
