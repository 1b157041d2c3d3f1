internal import Logging
internal import NIOConcurrencyHelpers
internal import NIOCore
internal import NIOPosix
internal import RPCCore

/// The connections of one client to one server.
///
/// Connects lazily, on the first call. Calls share a connection up to the server's
/// SETTINGS_MAX_CONCURRENT_STREAMS, then queue for a free stream. After GOAWAY the connection
/// finishes its calls and new ones go to a new connection. A failed connection attempt fails the
/// calls waiting for it with `UNAVAILABLE`, and further attempts wait an exponentially growing,
/// jittered delay; calls in that window fail fast with `UNAVAILABLE`.
final class ConnectionPool: Sendable {
  /// A stream slot on a ready connection.
  struct Lease: Sendable {
    let connectionID: Int
    let handler: NIOLoopBound<ClientConnectionHandler>
  }

  private struct Entry {
    enum Phase {
      case connecting
      case ready(NIOLoopBound<ClientConnectionHandler>, any Channel)
      case draining(NIOLoopBound<ClientConnectionHandler>, any Channel)
    }
    var phase: Phase
    var inFlight = 0
    var maxStreams = 100
  }

  private struct Waiter {
    let id: UInt64
    let continuation: CheckedContinuation<Lease, any Error>
    var timer: Scheduled<Void>?
  }

  private struct State {
    var connections: [Int: Entry] = [:]
    var waiters: [Waiter] = []
    var nextConnectionID = 0
    var nextWaiterID: UInt64 = 0
    var failures = 0
    var retryAt: ContinuousClock.Instant?
    var lastFailure = ""
    var shutDown = false
  }

  private let host: String
  private let port: Int
  private let configuration: ClientConfiguration
  private let group: any EventLoopGroup
  private let logger: Logger
  // NIOLockedValueBox (a pthread mutex) rather than Synchronization.Mutex: ThreadSanitizer
  // cannot see Mutex's futex-based locking on Linux and reports its critical sections as races.
  private let state = NIOLockedValueBox(State())

  /// Called after each successful connection: the transport's other pools to the same server
  /// stop backing off, so recovery seen on one event loop is not waited out on another.
  private let onConnected: @Sendable () -> Void

  init(
    host: String,
    port: Int,
    configuration: ClientConfiguration,
    group: any EventLoopGroup,
    logger: Logger,
    onConnected: @escaping @Sendable () -> Void = {}
  ) {
    self.host = host
    self.port = port
    self.configuration = configuration
    self.group = group
    self.logger = logger
    self.onConnected = onConnected
  }

  /// Forgets past connection failures: the next call connects at once instead of failing fast.
  func clearBackoff() {
    self.state.withLockedValue { state in
      state.failures = 0
      state.retryAt = nil
    }
  }

  /// A stream slot, connecting if needed, waiting at most until `deadline`.
  ///
  /// The decision (lease, fail fast, or wait) and the registration of the waiter happen under
  /// one lock: a connection attempt that fails between the two would otherwise leave the waiter
  /// with nothing to wait for until its deadline.
  func acquire(deadline: ContinuousClock.Instant?) async throws -> Lease {
    // The common case, a ready connection with a free stream, needs no suspension.
    if let lease = self.state.withLockedValue({ $0.shutDown ? nil : Self.takeSlot(&$0) }) {
      return lease
    }
    return try await self.waitForSlot(deadline: deadline)
  }

  private func waitForSlot(deadline: ContinuousClock.Instant?) async throws -> Lease {
    let id = self.state.withLockedValue { state -> UInt64 in
      state.nextWaiterID += 1
      return state.nextWaiterID
    }
    return try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Lease, any Error>) in
        enum Decision {
          case leased(Lease)
          case failFast(String)
          case waiting(connect: Int?)
        }
        let decision = self.state.withLockedValue { state -> Decision in
          if state.shutDown { return .failFast("The client is shut down.") }
          if let lease = Self.takeSlot(&state) { return .leased(lease) }
          let alive = state.connections.values.contains {
            switch $0.phase {
            case .connecting, .ready: true
            case .draining: false
            }
          }
          var connect: Int?
          if !alive {
            if let retryAt = state.retryAt, retryAt > .now {
              let wait = ContinuousClock.now.duration(to: retryAt).nanosecondsClampedToZero / 1_000_000
              return .failFast("\(state.lastFailure); next connection attempt in \(wait) ms")
            }
            connect = Self.beginConnecting(&state)
          }
          state.waiters.append(Waiter(id: id, continuation: continuation, timer: nil))
          return .waiting(connect: connect)
        }
        switch decision {
        case .leased(let lease):
          continuation.resume(returning: lease)
        case .failFast(let message):
          continuation.resume(throwing: RPCError(code: .unavailable, message: message))
        case .waiting(let connectionID):
          if let deadline { self.armDeadline(for: id, deadline: deadline) }
          if let connectionID { self.connect(connectionID) }
        }
      }
    } onCancel: {
      self.abandonWait(id, RPCError(code: .cancelled, message: "The call was cancelled while waiting for a connection."))
    }
  }

  /// Fails a waiter that is still waiting when its deadline passes.
  private func armDeadline(for id: UInt64, deadline: ContinuousClock.Instant) {
    let delay = ContinuousClock.now.duration(to: deadline)
    let timer = self.group.any().scheduleTask(in: .nanoseconds(delay.nanosecondsClampedToZero)) {
      let summary = self.state.withLockedValue { Self.summary($0) }
      self.abandonWait(
        id,
        RPCError(code: .deadlineExceeded, message: "Deadline exceeded while waiting for a connection to \(self.host):\(self.port) (\(summary))")
      )
    }
    let stillWaiting = self.state.withLockedValue { state -> Bool in
      guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return false }
      state.waiters[index].timer = timer
      return true
    }
    if !stillWaiting { timer.cancel() }
  }

  /// Gives a slot back when its stream has closed.
  func release(_ lease: Lease) {
    let (served, closing) = self.state.withLockedValue { state -> ([(CheckedContinuation<Lease, any Error>, Lease)], (any Channel)?) in
      guard var entry = state.connections[lease.connectionID] else { return ([], nil) }
      entry.inFlight -= 1
      state.connections[lease.connectionID] = entry
      var closing: (any Channel)?
      if case .draining(_, let channel) = entry.phase, entry.inFlight == 0 {
        closing = channel
      }
      return (Self.serveWaiters(&state), closing)
    }
    closing?.close(promise: nil)
    for (continuation, lease) in served { continuation.resume(returning: lease) }
  }

  /// Closes every connection; calls in flight end with `UNAVAILABLE`.
  func shutdown() {
    let (channels, waiters) = self.state.withLockedValue { state -> ([any Channel], [Waiter]) in
      state.shutDown = true
      let channels = state.connections.values.compactMap { entry -> (any Channel)? in
        switch entry.phase {
        case .ready(_, let channel), .draining(_, let channel): channel
        case .connecting: nil
        }
      }
      defer { state.waiters.removeAll() }
      return (channels, state.waiters)
    }
    for waiter in waiters {
      waiter.timer?.cancel()
      waiter.continuation.resume(throwing: RPCError(code: .unavailable, message: "The client is shut down."))
    }
    for channel in channels { channel.close(promise: nil) }
  }

  // MARK: State transitions (under the lock)

  /// The connections' states, for error messages.
  private static func summary(_ state: State) -> String {
    let parts = state.connections.values.map { entry -> String in
      switch entry.phase {
      case .connecting: "connecting"
      case .ready: "ready with \(entry.inFlight) of \(entry.maxStreams) streams in use"
      case .draining: "draining \(entry.inFlight) streams"
      }
    }
    return parts.isEmpty ? "no connection" : parts.joined(separator: "; ")
  }

  private static func takeSlot(_ state: inout State) -> Lease? {
    // Found first, counted after: a write during the iteration would copy the whole table.
    var found: (id: Int, handler: NIOLoopBound<ClientConnectionHandler>)?
    for (id, entry) in state.connections {
      if case .ready(let handler, _) = entry.phase, entry.inFlight < entry.maxStreams {
        found = (id, handler)
        break
      }
    }
    guard let found else { return nil }
    state.connections[found.id]!.inFlight += 1
    return Lease(connectionID: found.id, handler: found.handler)
  }

  private static func beginConnecting(_ state: inout State) -> Int {
    let id = state.nextConnectionID
    state.nextConnectionID += 1
    state.connections[id] = Entry(phase: .connecting)
    return id
  }

  private static func serveWaiters(_ state: inout State) -> [(CheckedContinuation<Lease, any Error>, Lease)] {
    var served: [(CheckedContinuation<Lease, any Error>, Lease)] = []
    while !state.waiters.isEmpty, let lease = Self.takeSlot(&state) {
      let waiter = state.waiters.removeFirst()
      waiter.timer?.cancel()
      served.append((waiter.continuation, lease))
    }
    return served
  }

  // MARK: Waiting

  private func abandonWait(_ id: UInt64, _ error: RPCError) {
    let waiter = self.state.withLockedValue { state -> Waiter? in
      guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
      return state.waiters.remove(at: index)
    }
    waiter?.timer?.cancel()
    waiter?.continuation.resume(throwing: error)
  }

  // MARK: Connecting

  private func connect(_ id: Int) {
    let configuration = self.configuration
    let authority = configuration.authority ?? "\(self.host):\(self.port)"
    let events = ConnectionEvents(
      settingsChanged: { [weak self] maxStreams in self?.settingsChanged(id, maxStreams: maxStreams) },
      streamClosed: {},
      goingAway: { [weak self] in self?.goingAway(id) },
      closed: { [weak self] in self?.connectionClosed(id) }
    )
    let bootstrap = ClientBootstrap(group: self.group)
      .connectTimeout(.nanoseconds(configuration.connectTimeout.nanosecondsClampedToZero))
      .channelOption(.socketOption(.tcp_nodelay), value: 1)
      .channelInitializer { channel in
        do {
          let handler = try ClientConnectionHandler(configuration: configuration, authority: authority, events: events)
          try channel.pipeline.syncOperations.addHandler(handler)
          return channel.eventLoop.makeSucceededVoidFuture()
        } catch {
          return channel.eventLoop.makeFailedFuture(error)
        }
      }
    bootstrap.connect(host: self.host, port: self.port).whenComplete { result in
      switch result {
      case .success(let channel):
        self.connected(id, channel: channel)
      case .failure(let error):
        self.connectFailed(id, error: error)
      }
    }
  }

  private func connected(_ id: Int, channel: any Channel) {
    let handler: NIOLoopBound<ClientConnectionHandler>
    do {
      let syncHandler = try channel.pipeline.syncOperations.handler(type: ClientConnectionHandler.self)
      syncHandler.startKeepaliveIfPermittedWithoutCalls()
      handler = NIOLoopBound(syncHandler, eventLoop: channel.eventLoop)
    } catch {
      channel.close(promise: nil)
      self.connectFailed(id, error: error)
      return
    }
    let (served, shutDown) = self.state.withLockedValue { state -> ([(CheckedContinuation<Lease, any Error>, Lease)], Bool) in
      guard !state.shutDown, state.connections[id] != nil else { return ([], true) }
      state.connections[id]!.phase = .ready(handler, channel)
      state.failures = 0
      state.retryAt = nil
      return (Self.serveWaiters(&state), false)
    }
    if shutDown { channel.close(promise: nil) }
    self.logger.debug("connected", metadata: ["target": "\(self.host):\(self.port)"])
    self.onConnected()
    for (continuation, lease) in served { continuation.resume(returning: lease) }
  }

  private func connectFailed(_ id: Int, error: any Error) {
    let waiters = self.state.withLockedValue { state -> [Waiter] in
      state.connections[id] = nil
      state.failures += 1
      let delay = self.configuration.backoff.delay(afterFailures: state.failures)
      state.retryAt = .now.advanced(by: delay)
      state.lastFailure = "Cannot connect to \(self.host):\(self.port): \(error)"
      // Calls that were waiting for this attempt fail now, unless another connection can take them.
      let usable = state.connections.values.contains { if case .ready = $0.phase { true } else { false } }
      if usable { return [] }
      defer { state.waiters.removeAll() }
      return state.waiters
    }
    self.logger.debug("connection attempt failed", metadata: ["target": "\(self.host):\(self.port)", "error": "\(error)"])
    for waiter in waiters {
      waiter.timer?.cancel()
      waiter.continuation.resume(throwing: RPCError(code: .unavailable, message: "Cannot connect to \(self.host):\(self.port): \(error)", cause: error))
    }
  }

  private func settingsChanged(_ id: Int, maxStreams: Int) {
    let served = self.state.withLockedValue { state -> [(CheckedContinuation<Lease, any Error>, Lease)] in
      guard state.connections[id] != nil else { return [] }
      state.connections[id]!.maxStreams = max(1, maxStreams)
      return Self.serveWaiters(&state)
    }
    for (continuation, lease) in served { continuation.resume(returning: lease) }
  }

  private func goingAway(_ id: Int) {
    let (connectID, closing) = self.state.withLockedValue { state -> (Int?, (any Channel)?) in
      guard let entry = state.connections[id], case .ready(let handler, let channel) = entry.phase else { return (nil, nil) }
      state.connections[id]!.phase = .draining(handler, channel)
      let closing = entry.inFlight == 0 ? channel : nil
      let needsConnection = !state.waiters.isEmpty && !state.connections.values.contains {
        switch $0.phase {
        case .connecting, .ready: true
        case .draining: false
        }
      }
      return (needsConnection ? Self.beginConnecting(&state) : nil, closing)
    }
    closing?.close(promise: nil)
    if let connectID { self.connect(connectID) }
  }

  private func connectionClosed(_ id: Int) {
    let connectID = self.state.withLockedValue { state -> Int? in
      state.connections[id] = nil
      guard !state.shutDown, !state.waiters.isEmpty else { return nil }
      let alive = state.connections.values.contains {
        switch $0.phase {
        case .connecting, .ready: true
        case .draining: false
        }
      }
      return alive ? nil : Self.beginConnecting(&state)
    }
    if let connectID { self.connect(connectID) }
  }
}
