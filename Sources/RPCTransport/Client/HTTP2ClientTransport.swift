public import Logging
internal import NIOConcurrencyHelpers
internal import NIOCore
internal import NIOPosix
public import RPCCore
internal import Synchronization

/// The client side of gRPC over HTTP/2 (nghttp2), to one server.
///
/// Each event loop has its own connection pool: a call made from code running on an event loop
/// (a server handler, the edge) uses a connection on that same loop, so the request and the
/// response never cross threads. Calls from elsewhere use the first loop's pool.
///
/// ```swift
/// let transport = HTTP2ClientTransport(host: "127.0.0.1", port: 50051)
/// let users = UserService.Client(wrapping: RPCClient(transport: transport))
/// ```
public final class HTTP2ClientTransport: ClientTransport, Sendable {
  /// One pool per event loop of the group, keyed by the loop's identity.
  private let pools: [ObjectIdentifier: ConnectionPool]
  private let defaultPool: ConnectionPool
  private let configuration: ClientConfiguration
  private let allocator = ByteBufferAllocator()
  private let callIDs = Atomic<UInt64>(0)

  /// Creates a transport; it connects on the first call.
  /// - Parameters:
  ///   - host: The server's host name or address.
  ///   - port: The server's port.
  ///   - configuration: Limits, backoff, keepalive.
  ///   - logger: Where connection events are logged.
  public init(
    host: String,
    port: Int,
    configuration: ClientConfiguration = ClientConfiguration(),
    logger: Logger = Logger(label: "rpc.client")
  ) {
    self.configuration = configuration
    let siblings = Siblings()
    var pools: [(ObjectIdentifier, ConnectionPool)] = []
    for eventLoop in MultiThreadedEventLoopGroup.singleton.makeIterator() {
      let pool = ConnectionPool(host: host, port: port, configuration: configuration, group: eventLoop, logger: logger) {
        siblings.clearBackoff()
      }
      pools.append((ObjectIdentifier(eventLoop), pool))
    }
    siblings.set(pools.map(\.1))
    self.defaultPool = pools[0].1
    self.pools = Dictionary(pools, uniquingKeysWith: { first, _ in first })
  }

  /// Closes the connections. Calls in flight fail with `UNAVAILABLE`, later calls too.
  public func close() {
    for pool in self.pools.values { pool.shutdown() }
  }

  /// The pools of one transport, weakly: one pool's successful connection ends the others'
  /// backoff.
  private final class Siblings: Sendable {
    private struct Reference { weak var pool: ConnectionPool? }
    private let pools = NIOLockedValueBox<[Reference]>([])

    func set(_ pools: [ConnectionPool]) {
      self.pools.withLockedValue { $0 = pools.map { Reference(pool: $0) } }
    }

    func clearBackoff() {
      for reference in self.pools.withLockedValue({ $0 }) { reference.pool?.clearBackoff() }
    }
  }

  /// The pool of the event loop this code runs on, if it runs on one of the group's loops.
  private var currentPool: ConnectionPool {
    guard let eventLoop = MultiThreadedEventLoopGroup.currentEventLoop else { return self.defaultPool }
    return self.pools[ObjectIdentifier(eventLoop)] ?? self.defaultPool
  }

  public func unary<Input: RPCMessage, Output: RPCMessage>(
    request: ClientRequest<Input>,
    context: ClientContext,
    options: CallOptions,
    output: Output.Type
  ) async throws -> ClientResponse<Output> {
    let body: ByteBuffer
    do {
      body = try GRPCWire.frame(request.message, allocator: self.allocator)
    } catch {
      throw RPCError(code: .internal, message: "Failed to encode the \(Input.self) request: \(error)", cause: error)
    }
    let maxResponseBytes = options.maxResponseMessageBytes ?? self.configuration.maxResponseMessageBytes
    // A call the server provably never saw (GOAWAY, REFUSED_STREAM) is retried once, on a new
    // stream, as gRPC's transparent retry does.
    var attempt = 0
    while true {
      attempt += 1
      do {
        let raw = try await self.perform(
          path: context.descriptor.path,
          metadata: request.metadata,
          deadline: context.deadline,
          body: body,
          maxResponseBytes: maxResponseBytes
        )
        let message: Output
        do {
          message = try raw.message.withUnsafeReadableBytes { try Output(serializedBytes: $0) }
        } catch {
          throw RPCError(code: .internal, message: "Failed to decode the \(Output.self) response: \(error)", cause: error)
        }
        return ClientResponse(message: message, metadata: raw.metadata, trailingMetadata: raw.trailingMetadata)
      } catch let failure as CallFailure {
        if failure.unprocessed && attempt < 2 && !Task.isCancelled { continue }
        throw failure.error
      }
    }
  }

  private func perform(
    path: String,
    metadata: Metadata,
    deadline: ContinuousClock.Instant?,
    body: ByteBuffer,
    maxResponseBytes: Int
  ) async throws -> RawResponse {
    let pool = self.currentPool
    let lease = try await pool.acquire(deadline: deadline)
    let callID = self.callIDs.add(1, ordering: .relaxed).newValue
    return try await withTaskCancellationHandler {
      // Unsafe: the connection completes every call exactly once, whichever way it ends (the
      // transport tests end calls each way: answer, status, deadline, cancel, GOAWAY, close),
      // and the checked form costs an allocation per call.
      try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<RawResponse, any Error>) in
        let call = OutboundCall(
          id: callID,
          path: path,
          metadata: metadata,
          deadline: deadline,
          body: body,
          maxResponseBytes: maxResponseBytes
        ) { result in
          pool.release(lease)
          continuation.resume(with: result.mapError { $0 })
        }
        let eventLoop = lease.handler.eventLoop
        if eventLoop.inEventLoop {
          lease.handler.value.start(call)
        } else {
          eventLoop.execute { lease.handler.value.start(call) }
        }
      }
    } onCancel: {
      lease.handler.eventLoop.execute {
        lease.handler.value.cancel(callID: callID)
      }
    }
  }
}
