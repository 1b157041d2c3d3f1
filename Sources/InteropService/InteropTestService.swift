public import InteropTesting
public import RPCCore

/// `grpc.testing.TestService` as the interop spec (grpc/grpc
/// `doc/interop-test-descriptions.md`) asks a server to behave, unary methods only, plus one
/// addition for deadline tests: request metadata `x-interop-sleep-ms: N` makes `UnaryCall` sleep
/// N ms, cancellably, before it answers.
public struct InteropTestService: TestService.ServiceProtocol {
  static let echoInitialKey = "x-grpc-test-echo-initial"
  static let echoTrailingKey = "x-grpc-test-echo-trailing-bin"
  static let sleepKey = "x-interop-sleep-ms"

  public init() {}

  public func emptyCall(
    request: ServerRequest<Empty>,
    context: ServerContext
  ) async throws -> ServerResponse<Empty> {
    ServerResponse(message: Empty())
  }

  public func unaryCall(
    request: ServerRequest<SimpleRequest>,
    context: ServerContext
  ) async throws -> ServerResponse<SimpleResponse> {
    var initial = Metadata()
    for value in request.metadata[stringValues: Self.echoInitialKey] {
      initial.addString(value, forKey: Self.echoInitialKey)
    }
    var trailing = Metadata()
    for value in request.metadata[binaryValues: Self.echoTrailingKey] {
      trailing.addBinary(value, forKey: Self.echoTrailingKey)
    }
    if let sleep = request.metadata.firstString(forKey: Self.sleepKey) {
      guard let milliseconds = Int(sleep), milliseconds >= 0 else {
        throw RPCError(code: .invalidArgument, message: "\(Self.sleepKey) must be a whole number of milliseconds")
      }
      // Throws CancellationError when the deadline passes or the client cancels.
      try await Task.sleep(for: .milliseconds(milliseconds))
    }
    let message = request.message
    if let status = message.responseStatus, status.code != 0 {
      throw RPCError(
        code: Status.Code(rawValue: Int(status.code)) ?? .unknown,
        message: status.message,
        metadata: trailing
      )
    }
    guard message.responseType == .compressable else {
      throw RPCError(code: .invalidArgument, message: "Only the COMPRESSABLE payload type is supported")
    }
    guard message.responseSize >= 0 else {
      throw RPCError(code: .invalidArgument, message: "response_size must not be negative")
    }
    let response = SimpleResponse(
      payload: Payload(type: .compressable, body: [UInt8](repeating: 0, count: Int(message.responseSize)))
    )
    return ServerResponse(message: response, metadata: initial, trailingMetadata: trailing)
  }

  public func cacheableUnaryCall(
    request: ServerRequest<SimpleRequest>,
    context: ServerContext
  ) async throws -> ServerResponse<SimpleResponse> {
    try await self.unaryCall(request: request, context: context)
  }

  public func unimplementedCall(
    request: ServerRequest<Empty>,
    context: ServerContext
  ) async throws -> ServerResponse<Empty> {
    throw RPCError(code: .unimplemented, message: "UnimplementedCall is not implemented, by design")
  }
}
