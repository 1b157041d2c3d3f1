/// What a server call passes on, implicitly, to the client calls its handler makes: its deadline
/// and the metadata that should follow a request through the system (such as `x-request-id`).
///
/// The server sets it for the duration of each handler; ``RPCClient`` reads it. So a handler that
/// calls another service passes on its remaining deadline without its author doing anything.
public struct CallScope: Sendable {
  /// The deadline of the surrounding server call.
  public var deadline: ContinuousClock.Instant?
  /// Metadata every outgoing call from this scope carries, unless the call sets the key itself.
  public var propagatedMetadata: Metadata

  /// Creates a scope.
  /// - Parameters:
  ///   - deadline: The deadline to pass on.
  ///   - propagatedMetadata: Metadata to pass on.
  public init(deadline: ContinuousClock.Instant? = nil, propagatedMetadata: Metadata = [:]) {
    self.deadline = deadline
    self.propagatedMetadata = propagatedMetadata
  }

  /// The scope of the current task.
  @TaskLocal public static var current = CallScope()
}
