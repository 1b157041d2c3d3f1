import BenchV1
import RPCCore
import RPCTransport
import Synchronization
import TestSupport
import Testing

@Suite("Deadlines and cancellation")
struct DeadlineAndCancellationTests {
  @Test("A call past its deadline fails with DEADLINE_EXCEEDED on time, and the handler is cancelled")
  func deadline() async throws {
    let probe = ProbeService()
    try await withTestServer(services: [probe]) { server in
      let client = Echo.Client(wrapping: RPCClient(transport: server.transport()))
      // Connected first, so that the deadline measures the call and not the connection setup.
      _ = try await client.echo(EchoRequest())
      let start = ContinuousClock.now
      do {
        _ = try await client.echo(EchoRequest(), metadata: ["x-sleep-ms": "5000"], options: CallOptions(timeout: .milliseconds(300)))
        Issue.record("the call succeeded")
      } catch let error as RPCError {
        #expect(error.code == .deadlineExceeded)
      }
      let elapsed = ContinuousClock.now - start
      #expect(elapsed < .seconds(1), "took \(elapsed)")
      // The server saw the deadline and cancelled the handler's task.
      try await eventually { probe.snapshot.cancelled == 1 }
      let remaining = try #require(probe.snapshot.deadlines.last ?? nil)
      #expect(remaining <= .milliseconds(300) && remaining > .zero)
      #expect(try await client.echo(EchoRequest(payload: [9])).payload == [9])
    }
  }

  @Test("A short deadline behind a long one on the same connection still fires on time")
  func shortDeadlineBehindLongOne() async throws {
    let probe = ProbeService()
    try await withTestServer(services: [probe]) { server in
      let client = Echo.Client(wrapping: RPCClient(transport: server.transport()))
      _ = try await client.echo(EchoRequest())
      // The long call sets the connection's deadline timer far out; the short one must pull it in.
      let long = Task {
        try await client.echo(EchoRequest(payload: [1]), metadata: ["x-sleep-ms": "1500"], options: CallOptions(timeout: .seconds(30)))
      }
      try await Task.sleep(for: .milliseconds(100))
      let start = ContinuousClock.now
      for timeout in [400, 200] {
        do {
          _ = try await client.echo(EchoRequest(), metadata: ["x-sleep-ms": "5000"], options: CallOptions(timeout: .milliseconds(timeout)))
          Issue.record("the call succeeded")
        } catch let error as RPCError {
          #expect(error.code == .deadlineExceeded)
        }
      }
      #expect(ContinuousClock.now - start < .milliseconds(1200), "took \(ContinuousClock.now - start)")
      #expect(try await long.value.payload == [1])
    }
  }

  @Test("The server enforces the deadline even when the client does not cancel")
  func serverSideDeadline() async throws {
    let probe = ProbeService()
    try await withTestServer(services: [probe]) { server in
      // A raw request with grpc-timeout 500m and no client-side timer. (Long enough for the
      // handler to start even on a loaded machine, so that there is a handler to cancel.)
      let connection = try RawHTTP2Connection(port: server.port)
      try await connection.sendPreface()
      try await connection.sendRequest(
        streamID: 1,
        RawHTTP2Connection.grpcHeaders(path: "/bench.v1.Echo/Echo", extra: [("grpc-timeout", "500m"), ("x-sleep-ms", "5000")]),
        body: [0, 0, 0, 0, 0]
      )
      let start = ContinuousClock.now
      let (frames, _) = await connection.readFrames { $0.type == 1 && $0.streamID == 1 && $0.flags & 0x1 != 0 }
      #expect(frames.contains { $0.type == 1 && $0.streamID == 1 })
      #expect(ContinuousClock.now - start < .seconds(3))
      try await eventually { probe.snapshot.cancelled == 1 }
    }
  }

  @Test("The server expires a short deadline behind a long one on the same connection")
  func serverSideShortDeadlineBehindLongOne() async throws {
    let probe = ProbeService()
    try await withTestServer(services: [probe]) { server in
      let connection = try RawHTTP2Connection(port: server.port)
      try await connection.sendPreface()
      for (streamID, timeout) in [(UInt32(1), "30S"), (UInt32(3), "500m")] {
        try await connection.sendRequest(
          streamID: streamID,
          RawHTTP2Connection.grpcHeaders(path: "/bench.v1.Echo/Echo", extra: [("grpc-timeout", timeout), ("x-sleep-ms", "5000")]),
          body: [0, 0, 0, 0, 0]
        )
      }
      let start = ContinuousClock.now
      let (frames, _) = await connection.readFrames { $0.type == 1 && $0.streamID == 3 && $0.flags & 0x1 != 0 }
      #expect(frames.contains { $0.type == 1 && $0.streamID == 3 })
      #expect(!frames.contains { $0.streamID == 1 && $0.flags & 0x1 != 0 }, "the long call must still be running")
      #expect(ContinuousClock.now - start < .seconds(3))
    }
  }

  @Test("A handler that calls another service passes on its remaining deadline by itself")
  func deadlinePropagation() async throws {
    let downstream = ProbeService()
    try await withTestServer(services: [downstream]) { downstreamServer in
      let downstreamClient = Echo.Client(wrapping: RPCClient(transport: downstreamServer.transport()))
      let upstream = ProbeService { request in
        // No timeout here: the deadline comes from the call this handler serves. Payload [2]
        // asks the downstream to be slow.
        try await downstreamClient.echo(request, metadata: request.payload == [2] ? ["x-sleep-ms": "5000"] : [:])
      }
      try await withTestServer(services: [upstream]) { upstreamServer in
        let client = Echo.Client(wrapping: RPCClient(transport: upstreamServer.transport()))
        _ = try await client.echo(EchoRequest(payload: [1]), metadata: ["x-call-onward": "1"], options: CallOptions(timeout: .seconds(3)))
        let upstreamRemaining = try #require(upstream.snapshot.deadlines.first ?? nil)
        let downstreamRemaining = try #require(downstream.snapshot.deadlines.first ?? nil)
        #expect(downstreamRemaining <= upstreamRemaining)
        #expect(downstreamRemaining > .seconds(2))

        // A slow downstream ends the whole chain at the caller's deadline, never later.
        let start = ContinuousClock.now
        do {
          _ = try await client.echo(EchoRequest(payload: [2]), metadata: ["x-call-onward": "1"], options: CallOptions(timeout: .milliseconds(300)))
          Issue.record("the call succeeded")
        } catch let error as RPCError {
          #expect(error.code == .deadlineExceeded)
        }
        #expect(ContinuousClock.now - start < .seconds(1))
        try await eventually { downstream.snapshot.cancelled == 1 }
      }
    }
  }

  @Test("Cancelling the client's task resets the stream and cancels the server's handler")
  func cancellation() async throws {
    let probe = ProbeService()
    try await withTestServer(services: [probe]) { server in
      let client = Echo.Client(wrapping: RPCClient(transport: server.transport()))
      let task = Task {
        try await client.echo(EchoRequest(), metadata: ["x-sleep-ms": "10000"])
      }
      try await eventually { probe.snapshot.deadlines.count == 1 }
      task.cancel()
      do {
        _ = try await task.value
        Issue.record("the call succeeded")
      } catch let error as RPCError {
        #expect(error.code == .cancelled)
      }
      try await eventually { probe.snapshot.cancelled == 1 }
      #expect(try await client.echo(EchoRequest(payload: [3])).payload == [3])
    }
  }

  @Test("A call whose deadline already passed fails without being sent")
  func expiredDeadline() async throws {
    let probe = ProbeService()
    try await withTestServer(services: [probe]) { server in
      let client = Echo.Client(wrapping: RPCClient(transport: server.transport()))
      do {
        _ = try await client.echo(EchoRequest(), options: CallOptions(deadline: .now - .seconds(1)))
        Issue.record("the call succeeded")
      } catch let error as RPCError {
        #expect(error.code == .deadlineExceeded)
      }
      #expect(probe.snapshot.deadlines.isEmpty)
    }
  }
}

/// Polls `condition` until it holds, failing after `timeout`.
func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) async throws {
  let end = ContinuousClock.now + timeout
  while !condition() {
    guard ContinuousClock.now < end else {
      Issue.record("condition not met within \(timeout)")
      return
    }
    try await Task.sleep(for: .milliseconds(10))
  }
}
