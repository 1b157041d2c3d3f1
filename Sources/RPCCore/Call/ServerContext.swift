/// What a server handler knows about the call it is serving.
public struct ServerContext: Sendable {
  /// The method being called.
  public let descriptor: MethodDescriptor
  /// When the call must be answered by, if the client set a timeout.
  public let deadline: ContinuousClock.Instant?
  /// The client's address, such as `ipv4:127.0.0.1:53012`, for logs.
  public let peer: String

  /// Creates a context.
  /// - Parameters:
  ///   - descriptor: The method being called.
  ///   - deadline: The call's deadline.
  ///   - peer: The client's address.
  public init(descriptor: MethodDescriptor, deadline: ContinuousClock.Instant?, peer: String) {
    self.descriptor = descriptor
    self.deadline = deadline
    self.peer = peer
  }

  /// The time left before the deadline, or `nil` without one.
  public var timeRemaining: Duration? {
    self.deadline.map { ContinuousClock.now.duration(to: $0) }
  }
}

/// A request as a server handler receives it.
public struct ServerRequest<Message: Sendable>: Sendable {
  /// The request headers, without the ones the protocol reserves.
  public var metadata: Metadata
  /// The request message.
  public var message: Message

  /// Creates a request.
  /// - Parameters:
  ///   - metadata: The request headers.
  ///   - message: The request message.
  public init(metadata: Metadata = [:], message: Message) {
    self.metadata = metadata
    self.message = message
  }
}

/// A successful response as a server handler returns it.
public struct ServerResponse<Message: Sendable>: Sendable {
  /// Sent as response headers.
  public var metadata: Metadata
  /// The response message.
  public var message: Message
  /// Sent in the trailers, next to `grpc-status`.
  public var trailingMetadata: Metadata

  /// Creates a response.
  /// - Parameters:
  ///   - message: The response message.
  ///   - metadata: Response headers.
  ///   - trailingMetadata: Trailers.
  public init(message: Message, metadata: Metadata = [:], trailingMetadata: Metadata = [:]) {
    self.metadata = metadata
    self.message = message
    self.trailingMetadata = trailingMetadata
  }
}
