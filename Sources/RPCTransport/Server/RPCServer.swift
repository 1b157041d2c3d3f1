public import Logging
internal import NIOConcurrencyHelpers
internal import NIOCore
internal import NIOPosix
public import RPCCore
public import ServiceLifecycle

/// A gRPC server over HTTP/2 (nghttp2): accepts connections and serves a router's methods.
///
/// Run it in a `ServiceGroup`: SIGTERM or SIGINT stops accepting, sends GOAWAY on every
/// connection, lets calls in flight finish within the grace period, and `run()` returns.
public final class RPCServer: Service, Sendable {
  private let configuration: ServerConfiguration
  private let shared: ServerConnectionHandler.Shared
  private let group: any EventLoopGroup
  // NIOLockedValueBox (a pthread mutex) rather than Synchronization.Mutex: ThreadSanitizer
  // cannot see Mutex's futex-based locking on Linux and reports its critical sections as races.
  private let state = NIOLockedValueBox(State())
  private let logger: Logger

  private struct State {
    var listener: (any Channel)?
    var connections: [ObjectIdentifier: any Channel] = [:]
    var shuttingDown = false
    var boundAddress: SocketAddress?
    var addressWaiters: [CheckedContinuation<SocketAddress, any Error>] = []
    var failure: (any Error)?
  }

  /// Creates a server.
  /// - Parameters:
  ///   - configuration: Address and limits.
  ///   - services: The services to serve.
  ///   - interceptors: Run around every call, outermost first.
  ///   - logger: Where the server logs.
  public init(
    configuration: ServerConfiguration,
    services: [any RPCService],
    interceptors: [any ServerInterceptor] = [],
    logger: Logger = Logger(label: "rpc.server")
  ) {
    self.configuration = configuration
    self.logger = logger
    self.shared = ServerConnectionHandler.Shared(
      router: RPCRouter(services: services),
      interceptors: interceptors,
      configuration: configuration,
      logger: logger
    )
    self.group = MultiThreadedEventLoopGroup.singleton
  }

  /// The address the server listens on, once it does; waits for `run()` to bind.
  public var listeningAddress: (host: String, port: Int) {
    get async throws {
      let address = try await withCheckedThrowingContinuation { continuation in
        self.state.withLockedValue { state in
          if let address = state.boundAddress {
            continuation.resume(returning: address)
          } else if let failure = state.failure {
            continuation.resume(throwing: failure)
          } else {
            state.addressWaiters.append(continuation)
          }
        }
      }
      return (address.ipAddress ?? self.configuration.host, address.port ?? self.configuration.port)
    }
  }

  /// Binds and serves until a graceful shutdown completes.
  public func run() async throws {
    let shared = self.shared
    let bootstrap = ServerBootstrap(group: self.group)
      .serverChannelOption(.backlog, value: 1024)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
      .childChannelOption(.autoRead, value: true)
      .childChannelInitializer { [weak self] channel in
        guard let self, self.admit(channel) else {
          return channel.close()
        }
        do {
          let handler = try ServerConnectionHandler(shared: shared, eventLoop: channel.eventLoop)
          try channel.pipeline.syncOperations.addHandler(handler)
          return channel.eventLoop.makeSucceededVoidFuture()
        } catch {
          return channel.eventLoop.makeFailedFuture(error)
        }
      }
    let listener: any Channel
    do {
      listener = try await bootstrap.bind(host: self.configuration.host, port: self.configuration.port).get()
    } catch {
      let waiters = self.state.withLockedValue { state in
        state.failure = error
        defer { state.addressWaiters = [] }
        return state.addressWaiters
      }
      waiters.forEach { $0.resume(throwing: error) }
      throw error
    }
    let (waiters, alreadyShuttingDown) = self.state.withLockedValue { state in
      state.listener = listener
      state.boundAddress = listener.localAddress
      defer { state.addressWaiters = [] }
      return (state.addressWaiters, state.shuttingDown)
    }
    if let address = listener.localAddress { waiters.forEach { $0.resume(returning: address) } }
    self.logger.info("listening", metadata: ["address": "\(listener.localAddress.map { "\($0)" } ?? "?")"])
    if alreadyShuttingDown { self.beginGracefulShutdown() }

    try await withGracefulShutdownHandler {
      try await listener.closeFuture.get()
      // Stopped accepting; wait for the connections to drain.
      while true {
        let open = self.state.withLockedValue { Array($0.connections.values) }
        guard let connection = open.first else { break }
        try? await connection.closeFuture.get()
      }
    } onGracefulShutdown: {
      self.beginGracefulShutdown()
    }
    self.logger.info("stopped")
  }

  /// Stops accepting and drains every connection: GOAWAY, then close once its calls finished or
  /// the grace period ended.
  public func beginGracefulShutdown() {
    let (listener, connections) = self.state.withLockedValue { state -> ((any Channel)?, [any Channel]) in
      state.shuttingDown = true
      return (state.listener, Array(state.connections.values))
    }
    listener?.close(promise: nil)
    for connection in connections {
      connection.pipeline.fireUserInboundEventTriggered(GracefulShutdownEvent())
    }
  }

  private func admit(_ channel: any Channel) -> Bool {
    let id = ObjectIdentifier(channel)
    let admitted = self.state.withLockedValue { state -> Bool in
      guard !state.shuttingDown, state.connections.count < self.configuration.maxConnections else { return false }
      state.connections[id] = channel
      return true
    }
    guard admitted else { return false }
    channel.closeFuture.whenComplete { [weak self] _ in
      _ = self?.state.withLockedValue { $0.connections.removeValue(forKey: id) }
    }
    return true
  }
}
