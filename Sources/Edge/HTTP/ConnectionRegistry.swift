internal import NIOCore
internal import RPCCore

/// Sits on the listening channel and sees every accepted connection: past the limit it stops
/// accepting (new connections wait in the backlog) until one closes; on shutdown it stops the
/// listener, asks each connection to finish its request and close, and reports when none is left.
final class ConnectionRegistry: ChannelInboundHandler {
  typealias InboundIn = any Channel
  typealias InboundOut = any Channel

  private let maxConnections: Int
  private let gracePeriod: TimeAmount
  private var open: [ObjectIdentifier: any Channel] = [:]
  private var accepting = true
  private var shuttingDown = false
  private let drained: EventLoopPromise<Void>
  private let listener: any Channel

  /// Succeeds once shutdown began and every connection closed.
  var allClosed: EventLoopFuture<Void> { self.drained.futureResult }

  init(listener: any Channel, maxConnections: Int, gracePeriod: Duration) {
    self.listener = listener
    self.maxConnections = max(1, maxConnections)
    self.gracePeriod = .nanoseconds(gracePeriod.nanosecondsClampedToZero)
    self.drained = listener.eventLoop.makePromise()
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let connection = self.unwrapInboundIn(data)
    guard !self.shuttingDown else {
      connection.close(promise: nil)
      return
    }
    let id = ObjectIdentifier(connection)
    self.open[id] = connection
    let registry = NIOLoopBound(self, eventLoop: context.eventLoop)
    let eventLoop = context.eventLoop
    connection.closeFuture.whenComplete { _ in
      eventLoop.execute { registry.value.closed(id) }
    }
    if self.open.count >= self.maxConnections {
      self.setAccepting(false)
    }
    context.fireChannelRead(data)
  }

  func channelInactive(context: ChannelHandlerContext) {
    // The listener closed, by shutdown or by an error: either way the connections drain.
    self.beginShutdown()
    context.fireChannelInactive()
  }

  private func closed(_ id: ObjectIdentifier) {
    self.open[id] = nil
    if self.shuttingDown {
      if self.open.isEmpty { self.drained.succeed() }
    } else if self.open.count < self.maxConnections {
      self.setAccepting(true)
    }
  }

  private func setAccepting(_ accepting: Bool) {
    guard accepting != self.accepting else { return }
    self.accepting = accepting
    // Without reads on the listening socket, connections queue in the kernel's backlog.
    try? self.listener.syncOptions?.setOption(.autoRead, value: accepting)
    if accepting { self.listener.read() }
  }

  /// Stops accepting and lets every connection finish the request it is on; connections still
  /// open after the grace period are closed.
  func beginShutdown() {
    guard !self.shuttingDown else { return }
    self.shuttingDown = true
    self.listener.close(promise: nil)
    for connection in self.open.values {
      connection.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
    }
    if self.open.isEmpty {
      self.drained.succeed()
      return
    }
    let registry = NIOLoopBound(self, eventLoop: self.listener.eventLoop)
    self.listener.eventLoop.scheduleTask(in: self.gracePeriod) {
      for connection in registry.value.open.values { connection.close(promise: nil) }
    }
  }
}
