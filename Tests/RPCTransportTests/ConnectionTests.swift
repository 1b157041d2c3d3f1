import BenchV1
import Foundation
import NIOCore
import NIOPosix
import RPCCore
import RPCTransport
import TestSupport
import Testing

@Suite("Connections: lazy connect, backoff, GOAWAY, keepalive")
struct ConnectionTests {
  @Test("No server: UNAVAILABLE, then fast failures during backoff, then recovery once it listens")
  func unavailableAndRecovery() async throws {
    // Find a free port, then leave it closed.
    let probe = ProbeService()
    let first = try await TestServer.start(services: [probe])
    let port = first.port
    try await first.stop()

    var configuration = ClientConfiguration()
    // Long enough that the next call surely falls inside the window, even under ThreadSanitizer.
    configuration.backoff.initial = .seconds(1)
    let transport = HTTP2ClientTransport(host: "127.0.0.1", port: port, configuration: configuration)
    let client = Echo.Client(wrapping: RPCClient(transport: transport))
    do {
      _ = try await client.echo(EchoRequest(), options: CallOptions(timeout: .seconds(2)))
      Issue.record("the call succeeded")
    } catch {
      #expect(error.code == .unavailable)
      #expect(error.message.contains("127.0.0.1:\(port)"))
    }
    // Within the backoff window, calls fail at once without dialling: the pool answers from its
    // backoff state (a refused dial on loopback is as quick, so the clock could not tell).
    do {
      _ = try await client.echo(EchoRequest())
      Issue.record("the call succeeded")
    } catch {
      #expect(error.code == .unavailable)
      #expect(error.message.contains("next connection attempt in"), "\(error.message)")
    }

    let second = try await TestServer.start(services: [probe]) { $0.port = port }
    defer { Task { try await second.stop() } }
    var recovered = false
    for _ in 0..<50 where !recovered {
      do {
        _ = try await client.echo(EchoRequest(payload: [1]))
        recovered = true
      } catch {
        try await Task.sleep(for: .milliseconds(100))
      }
    }
    #expect(recovered)
    transport.close()
  }

  @Test("Calls made on an event loop use that loop's connection; one loop's recovery ends every loop's backoff")
  func perLoopPools() async throws {
    let probe = ProbeService()
    let first = try await TestServer.start(services: [probe])
    let port = first.port
    try await first.stop()

    var configuration = ClientConfiguration()
    configuration.backoff.initial = .milliseconds(50)
    configuration.backoff.multiplier = 40
    configuration.backoff.jitter = 0
    let transport = HTTP2ClientTransport(host: "127.0.0.1", port: port, configuration: configuration)
    defer { transport.close() }
    let client = Echo.Client(wrapping: RPCClient(transport: transport))
    let loops = Array(MultiThreadedEventLoopGroup.singleton.makeIterator())
    try #require(loops.count >= 2, "needs two event loops")
    /// One call whose task runs on `loop`, with the event loop it was answered on.
    @Sendable func call(on loop: any EventLoop) async -> Result<Bool, RPCError> {
      let task = Task(executorPreference: EventLoopExecutor(eventLoop: loop)) { () async -> Result<Bool, RPCError> in
        do {
          _ = try await client.echo(EchoRequest(), options: CallOptions(timeout: .seconds(2)))
          return .success(loop.inEventLoop)
        } catch {
          return .failure(RPCError(converting: error))
        }
      }
      return await task.value
    }

    // Loop A fails once (50 ms of backoff); loop B fails twice (2 s of backoff).
    #expect((try? await call(on: loops[0]).get()) == nil)
    #expect((try? await call(on: loops[1]).get()) == nil)
    try await Task.sleep(for: .milliseconds(80))
    #expect((try? await call(on: loops[1]).get()) == nil)

    let second = try await TestServer.start(services: [probe]) { $0.port = port }
    defer { Task { try await second.stop() } }
    try await Task.sleep(for: .milliseconds(80))
    // A's backoff is over: it connects, and that ends B's backoff too.
    #expect(try await call(on: loops[0]).get() == true)
    let start = ContinuousClock.now
    #expect(try await call(on: loops[1]).get() == true, "B should connect at once, not wait out its backoff")
    #expect(ContinuousClock.now - start < .milliseconds(500))
    // One connection per loop.
    try await eventually { probe.snapshot.peers.count == 2 }
  }

  @Test("Many calls racing a refused connection attempt all fail fast with UNAVAILABLE")
  func refusedConnectionRace() async throws {
    let closed = try await TestServer.start(services: [ProbeService()])
    let port = closed.port
    try await closed.stop()
    for _ in 0..<5 {
      // A fresh transport each round: the first calls race the first connection attempt.
      let transport = HTTP2ClientTransport(host: "127.0.0.1", port: port)
      let client = Echo.Client(wrapping: RPCClient(transport: transport))
      let start = ContinuousClock.now
      let codes = try await withThrowingTaskGroup(of: Status.Code?.self) { group in
        for _ in 0..<50 {
          group.addTask {
            do {
              _ = try await client.echo(EchoRequest(), options: CallOptions(timeout: .seconds(3)))
              return nil
            } catch let error as RPCError {
              return error.code
            }
          }
        }
        return try await group.reduce(into: [Status.Code?]()) { $0.append($1) }
      }
      #expect(codes.allSatisfy { $0 == .unavailable }, "\(codes)")
      #expect(ContinuousClock.now - start < .seconds(2))
      transport.close()
    }
  }

  @Test("Graceful shutdown: GOAWAY lets the call in flight finish; the server then stops")
  func gracefulShutdown() async throws {
    let probe = ProbeService()
    let server = try await TestServer.start(services: [probe])
    let client = Echo.Client(wrapping: RPCClient(transport: server.transport()))
    let inFlight = Task {
      try await client.echo(EchoRequest(payload: [5]), metadata: ["x-sleep-ms": "500"])
    }
    try await eventually { probe.snapshot.deadlines.count == 1 }
    let stopping = Task { try await server.stop() }
    let response = try await inFlight.value
    #expect(response.payload == [5])
    try await stopping.value
    // Nothing listens any more.
    do {
      _ = try await client.echo(EchoRequest(), options: CallOptions(timeout: .seconds(2)))
      Issue.record("the call succeeded")
    } catch {
      #expect(error.code == .unavailable)
    }
  }

  @Test("The grace period bounds how long shutdown waits for a slow call")
  func gracePeriod() async throws {
    let probe = ProbeService()
    let server = try await TestServer.start(services: [probe]) { $0.shutdownGracePeriod = .milliseconds(300) }
    let client = Echo.Client(wrapping: RPCClient(transport: server.transport()))
    let inFlight = Task { try await client.echo(EchoRequest(), metadata: ["x-sleep-ms": "30000"]) }
    try await eventually { probe.snapshot.deadlines.count == 1 }
    let start = ContinuousClock.now
    try await server.stop()
    #expect(ContinuousClock.now - start < .seconds(3))
    await #expect(throws: RPCError.self) { try await inFlight.value }
    try await eventually { probe.snapshot.cancelled == 1 }
  }

  @Test("After GOAWAY, new calls go to a new connection")
  func goAwayMovesToNewConnection() async throws {
    let probe = ProbeService()
    // An idle limit makes the server send GOAWAY between calls.
    try await withTestServer(services: [probe], configure: { $0.maxConnectionIdle = .milliseconds(200) }) { server in
      let client = Echo.Client(wrapping: RPCClient(transport: server.transport()))
      #expect(try await client.echo(EchoRequest(payload: [1])).payload == [1])
      try await Task.sleep(for: .milliseconds(600))
      #expect(try await client.echo(EchoRequest(payload: [2])).payload == [2])
      #expect(probe.snapshot.completed == 2)
      #expect(probe.snapshot.peers.count == 2, "one connection per call: \(probe.snapshot.peers)")
    }
  }

  @Test("The idle limit counts from the last response, even when the client sends nothing after it")
  func idleAfterLastResponse() async throws {
    try await withTestServer(services: [ProbeService()], configure: { $0.maxConnectionIdle = .milliseconds(300) }) { server in
      // A raw client: after the response it sends no frame at all, not even a SETTINGS ACK,
      // so the server learns of nothing more than what it sent itself.
      // The request goes with the preface, so that the server reads it before its idle timer
      // could fire, however late this test runs.
      let connection = try RawHTTP2Connection(port: server.port)
      try await connection.sendPreface(
        followedBy: RawHTTP2Connection.request(streamID: 1, RawHTTP2Connection.grpcHeaders(path: "/bench.v1.Echo/Echo"), body: [0, 0, 0, 0, 0])
      )
      let (response, _) = await connection.readFrames { $0.type == 1 && $0.streamID == 1 && $0.flags & 0x1 != 0 }
      #expect(response.contains { $0.type == 1 && $0.streamID == 1 && $0.flags & 0x1 != 0 }, "expected the trailers")
      let (after, _) = await connection.readFrames { $0.type == 7 }
      #expect(after.contains { $0.type == 7 }, "expected GOAWAY once idle")
    }
  }

  @Test("An idle GOAWAY leaves the connection open a moment: a call that crossed it is not reset under the client")
  func idleGoAwayLingers() async throws {
    try await withTestServer(services: [ProbeService()], configure: { $0.maxConnectionIdle = .milliseconds(100) }) { server in
      // Timed from before the connection opens: the server's idle timer and then its linger
      // both start after this, so however late this test runs, an early close shows as one.
      let opened = ContinuousClock.now
      let connection = try RawHTTP2Connection(port: server.port)
      try await connection.sendPreface()
      let (frames, closedEarly) = await connection.readFrames { $0.type == 7 }
      #expect(frames.contains { $0.type == 7 }, "expected GOAWAY")
      #expect(!closedEarly)
      // A call sent as if it had crossed the GOAWAY: above its last stream, so never processed.
      // Closing at once would have the kernel reset the connection over unread bytes, and the
      // client would lose the GOAWAY that tells it the call is safe to retry.
      try await connection.sendRequest(streamID: 1, RawHTTP2Connection.grpcHeaders(path: "/bench.v1.Echo/Echo"), body: [0, 0, 0, 0, 0])
      let (after, closed) = await connection.readFrames(until: { _ in false })
      #expect(closed, "the server closes after the linger")
      // The idle limit (100 ms) and then the linger (1 s).
      let open = ContinuousClock.now - opened
      #expect(open >= .milliseconds(1100), "closed after \(open)")
      #expect(!after.contains { $0.streamID == 1 }, "the crossing call is ignored, not answered")
    }
  }

  @Test("Keepalive: a peer that stops answering is detected before the call's deadline")
  func keepalive() async throws {
    // A TCP listener that accepts and never speaks HTTP/2.
    let group = MultiThreadedEventLoopGroup.singleton
    let silent = try await ServerBootstrap(group: group)
      .childChannelInitializer { $0.eventLoop.makeSucceededVoidFuture() }
      .bind(host: "127.0.0.1", port: 0).get()
    defer { silent.close(promise: nil) }
    var configuration = ClientConfiguration()
    configuration.keepalive = .init(interval: .milliseconds(100), timeout: .milliseconds(200), permitWithoutCalls: true)
    let transport = HTTP2ClientTransport(host: "127.0.0.1", port: silent.localAddress!.port!, configuration: configuration)
    let client = Echo.Client(wrapping: RPCClient(transport: transport))
    let start = ContinuousClock.now
    do {
      _ = try await client.echo(EchoRequest(), options: CallOptions(timeout: .seconds(10)))
      Issue.record("the call succeeded")
    } catch {
      #expect(error.code == .unavailable)
      #expect(error.message.contains("Keepalive"))
    }
    #expect(ContinuousClock.now - start < .seconds(3))
    transport.close()
  }

  @Test("Health checking answers SERVING for the server and each service, NOT_FOUND otherwise")
  func health() async throws {
    // ServiceKit adds health to every server process; here the service is added by hand.
    let health = HealthProbe.make(services: ["bench.v1.Echo"])
    try await withTestServer(services: [ProbeService(), health]) { server in
      let client = HealthProbe.client(RPCClient(transport: server.transport()))
      let server = try await client("")
      let service = try await client("bench.v1.Echo")
      let unknown = try await client("no.such.Service")
      #expect(server == "SERVING")
      #expect(service == "SERVING")
      #expect(unknown == "NOT_FOUND")
    }
  }
}
