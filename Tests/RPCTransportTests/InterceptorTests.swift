import BenchV1
import RPCCore
import RPCTransport
import Synchronization
import TestSupport
import Testing

struct RequireToken: ServerInterceptor {
  func intercept<Input: Sendable, Output: Sendable>(
    request: ServerRequest<Input>,
    context: ServerContext,
    next: (ServerRequest<Input>, ServerContext) async throws -> ServerResponse<Output>
  ) async throws -> ServerResponse<Output> {
    guard request.metadata.firstString(forKey: "authorization") == "Bearer secret" else {
      throw RPCError(code: .unauthenticated, message: "missing or wrong token")
    }
    var response = try await next(request, context)
    response.trailingMetadata.addString("checked", forKey: "x-auth")
    return response
  }
}

final class Log: Sendable {
  let entries = Mutex<[String]>([])
  func append(_ entry: String) { self.entries.withLock { $0.append(entry) } }
  var all: [String] { self.entries.withLock { $0 } }
}

final class Recorder: ServerInterceptor, ClientInterceptor {
  let name: String
  let log: Log

  init(_ name: String, log: Log) {
    self.name = name
    self.log = log
  }

  func intercept<Input: Sendable, Output: Sendable>(
    request: ServerRequest<Input>,
    context: ServerContext,
    next: (ServerRequest<Input>, ServerContext) async throws -> ServerResponse<Output>
  ) async throws -> ServerResponse<Output> {
    self.log.append(("server \(self.name) \(context.descriptor.method)"))
    return try await next(request, context)
  }

  func intercept<Input: Sendable, Output: Sendable>(
    request: ClientRequest<Input>,
    context: ClientContext,
    next: (ClientRequest<Input>, ClientContext) async throws -> ClientResponse<Output>
  ) async throws -> ClientResponse<Output> {
    self.log.append(("client \(self.name) \(context.descriptor.method)"))
    var request = request
    request.metadata.addString(self.name, forKey: "x-client-interceptor")
    return try await next(request, context)
  }
}

@Suite("Interceptors")
struct InterceptorTests {
  @Test("A server interceptor refuses calls without credentials and decorates the others")
  func authentication() async throws {
    try await withTestServer(services: [ProbeService()], interceptors: [RequireToken()]) { server in
      let client = Echo.Client(wrapping: RPCClient(transport: server.transport()))
      do {
        _ = try await client.echo(EchoRequest())
        Issue.record("the call succeeded")
      } catch let error as RPCError {
        #expect(error.code == .unauthenticated)
      }
      let response = try await client.echo(request: ClientRequest(message: EchoRequest(payload: [1]), metadata: ["authorization": "Bearer secret"]))
      #expect(response.trailingMetadata.firstString(forKey: "x-auth") == "checked")
    }
  }

  @Test("Interceptors run in order, outermost first, on both sides")
  func order() async throws {
    let log = Log()
    let probe = ProbeService()
    try await withTestServer(services: [probe], interceptors: [Recorder("a", log: log), Recorder("b", log: log)]) { server in
      let rpc = RPCClient(transport: server.transport(), interceptors: [Recorder("x", log: log), Recorder("y", log: log)])
      _ = try await Echo.Client(wrapping: rpc).echo(EchoRequest())
    }
    #expect(log.all == ["client x Echo", "client y Echo", "server a Echo", "server b Echo"])
    #expect(probe.snapshot.metadata.first?[stringValues: "x-client-interceptor"] == ["x", "y"])
  }

  @Test("Metadata a server scope propagates is added to outgoing calls")
  func propagatedMetadata() async throws {
    let probe = ProbeService()
    try await withTestServer(services: [probe]) { server in
      let client = Echo.Client(wrapping: RPCClient(transport: server.transport()))
      try await CallScope.$current.withValue(CallScope(propagatedMetadata: ["x-request-id": "abc"])) {
        _ = try await client.echo(EchoRequest())
        _ = try await client.echo(EchoRequest(), metadata: ["x-request-id": "explicit"])
      }
      #expect(probe.snapshot.metadata.map { $0.firstString(forKey: "x-request-id") } == ["abc", "explicit"])
    }
  }
}
