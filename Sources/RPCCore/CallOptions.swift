/// Per-call settings on the client.
public struct CallOptions: Sendable {
  /// How long the call may take, counted from when it starts. `nil` means no timeout of its own;
  /// the call still inherits the deadline of the server call it runs in, if any.
  public var timeout: Duration?
  /// An absolute deadline; the earlier of this and `timeout` applies.
  public var deadline: ContinuousClock.Instant?
  /// The largest response message accepted, in bytes; `nil` uses the transport's limit.
  public var maxResponseMessageBytes: Int?

  /// Creates options.
  /// - Parameters:
  ///   - timeout: How long the call may take.
  ///   - deadline: An absolute deadline.
  ///   - maxResponseMessageBytes: The largest response message accepted.
  public init(
    timeout: Duration? = nil,
    deadline: ContinuousClock.Instant? = nil,
    maxResponseMessageBytes: Int? = nil
  ) {
    self.timeout = timeout
    self.deadline = deadline
    self.maxResponseMessageBytes = maxResponseMessageBytes
  }

  /// No timeout, transport limits.
  public static var defaults: CallOptions { CallOptions() }

  /// The deadline the call runs under: the earliest of its own timeout, its own deadline and the
  /// deadline of the server call it is made from.
  /// - Parameters:
  ///   - now: The current instant.
  ///   - inherited: The deadline of the surrounding server call, if any.
  public func effectiveDeadline(
    now: ContinuousClock.Instant,
    inherited: ContinuousClock.Instant?
  ) -> ContinuousClock.Instant? {
    var result = inherited
    if let deadline = self.deadline {
      result = result.map { min($0, deadline) } ?? deadline
    }
    if let timeout = self.timeout {
      let fromTimeout = now.advanced(by: timeout)
      result = result.map { min($0, fromTimeout) } ?? fromTimeout
    }
    return result
  }
}
