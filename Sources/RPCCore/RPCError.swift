/// The error a failed RPC throws: a non-OK status code, a message, and the trailing metadata that
/// came with it.
public struct RPCError: Error, Sendable, CustomStringConvertible {
  /// The status code; never ``Status/Code/ok``.
  public var code: Status.Code
  /// A developer-facing message.
  public var message: String
  /// Metadata sent with the status (the trailers, on the client).
  public var metadata: Metadata
  /// The underlying error, if one caused this; never sent over the wire.
  public var cause: (any Error)?

  /// Creates an error.
  /// - Parameters:
  ///   - code: The status code. `OK` is not an error and is replaced by `UNKNOWN`.
  ///   - message: A developer-facing message.
  ///   - metadata: Metadata to send with the status.
  ///   - cause: The underlying error, kept for logs.
  public init(
    code: Status.Code,
    message: String,
    metadata: Metadata = [:],
    cause: (any Error)? = nil
  ) {
    self.code = code == .ok ? .unknown : code
    self.message = message
    self.metadata = metadata
    self.cause = cause
  }

  /// The status this error represents.
  public var status: Status { Status(code: self.code, message: self.message) }

  public var description: String {
    var text = "\(self.code): \(self.message)"
    if let cause = self.cause { text += " (cause: \(cause))" }
    return text
  }
}

/// A domain error that knows which RPC status represents it.
///
/// Handlers may throw any error; one conforming to this protocol is reported with its own status,
/// any other becomes `UNKNOWN` without leaking its description to the peer.
public protocol RPCErrorConvertible: Error {
  /// The status code to report.
  var rpcErrorCode: Status.Code { get }
  /// The message to report.
  var rpcErrorMessage: String { get }
  /// Metadata to send with the status.
  var rpcErrorMetadata: Metadata { get }
}

extension RPCErrorConvertible {
  public var rpcErrorMetadata: Metadata { [:] }
}

extension RPCError {
  /// Converts any error thrown by user code into the error reported to the peer.
  /// - Parameter error: The thrown error.
  public init(converting error: any Error) {
    switch error {
    case let error as RPCError:
      self = error
    case let error as any RPCErrorConvertible:
      self.init(
        code: error.rpcErrorCode,
        message: error.rpcErrorMessage,
        metadata: error.rpcErrorMetadata,
        cause: error
      )
    case is CancellationError:
      self.init(code: .cancelled, message: "The call was cancelled.", cause: error)
    default:
      self.init(code: .unknown, message: "The handler failed.", cause: error)
    }
  }
}
