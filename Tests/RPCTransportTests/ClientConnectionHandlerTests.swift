import NIOCore
import NIOEmbedded
import RPCCore
@testable import RPCTransport
import Synchronization
import TestSupport
import Testing

/// The client's connection handler on an `EmbeddedChannel`, fed the server's frames byte by
/// byte, for orderings a real connection produces only now and then.
@Suite("Client connection handler")
struct ClientConnectionHandlerTests {
  @Test("A call leased before the GOAWAY was read is handed back as never sent, to go elsewhere")
  func callAfterGoAwayIsUnprocessed() throws {
    let goingAway = Atomic(0)
    let events = ConnectionEvents(
      settingsChanged: { _ in },
      streamClosed: {},
      goingAway: { goingAway.add(1, ordering: .relaxed) },
      closed: {}
    )
    let handler = try ClientConnectionHandler(configuration: ClientConfiguration(), authority: "localhost", events: events)
    let channel = EmbeddedChannel()
    defer { _ = try? channel.finish() }
    try channel.pipeline.syncOperations.addHandler(handler)
    try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()

    // The server's SETTINGS, then GOAWAY with last stream 0 (no error): it will take no stream.
    let goAway: [UInt8] = [0, 0, 0, 0] + [0, 0, 0, 0]
    let frames = RawHTTP2Connection.frame(type: 4, flags: 0, streamID: 0, payload: [])
      + RawHTTP2Connection.frame(type: 7, flags: 0, streamID: 0, payload: goAway)
    try channel.writeInbound(channel.allocator.buffer(bytes: frames))
    #expect(goingAway.load(ordering: .relaxed) == 1)

    // The pool had leased this connection to a call just before: the call starts now.
    let outcome = Mutex<Result<RawResponse, CallFailure>?>(nil)
    handler.start(OutboundCall(
      id: 1,
      path: "/bench.v1.Echo/Echo",
      metadata: [:],
      deadline: nil,
      body: channel.allocator.buffer(bytes: [0, 0, 0, 0, 0]),
      maxResponseBytes: 1 << 20,
      completion: { result in outcome.withLock { $0 = result } }
    ))
    channel.embeddedEventLoop.run()

    let result = try #require(outcome.withLock { $0 }, "the call must end at once, not when the connection closes")
    guard case .failure(let failure) = result else {
      Issue.record("the call succeeded")
      return
    }
    #expect(failure.unprocessed, "the server never saw it, so it may be retried: \(failure.error)")
    #expect(failure.error.code == .unavailable)
  }
}
