import BenchV1
import RPCCore
import Synchronization

/// An Echo service that records what happened to its calls, and can be told through request
/// metadata to sleep (`x-sleep-ms`), fail (`x-fail-code`, `x-fail-message`) or call onward.
final class ProbeService: Echo.ServiceProtocol, Sendable {
  struct Record: Sendable {
    var cancelled = 0
    var completed = 0
    var deadlines: [Duration?] = []
    var metadata: [Metadata] = []
    /// The client addresses calls came from: one per connection.
    var peers: Set<String> = []
  }

  let record = Mutex(Record())
  /// Called by `echo` for `x-call-onward` requests.
  let onward: (@Sendable (EchoRequest) async throws -> EchoResponse)?

  init(onward: (@Sendable (EchoRequest) async throws -> EchoResponse)? = nil) {
    self.onward = onward
  }

  var snapshot: Record { self.record.withLock { $0 } }

  func echo(request: ServerRequest<EchoRequest>, context: ServerContext) async throws -> ServerResponse<EchoResponse> {
    self.record.withLock {
      $0.deadlines.append(context.timeRemaining)
      $0.metadata.append(request.metadata)
      $0.peers.insert(context.peer)
    }
    if let sleep = request.metadata.firstString(forKey: "x-sleep-ms").flatMap(Int.init) {
      do {
        try await Task.sleep(for: .milliseconds(sleep))
      } catch {
        self.record.withLock { $0.cancelled += 1 }
        throw error
      }
    }
    if let code = request.metadata.firstString(forKey: "x-fail-code").flatMap(Int.init) {
      throw RPCError(
        code: Status.Code(rawValue: code) ?? .unknown,
        message: request.metadata.firstString(forKey: "x-fail-message") ?? "",
        metadata: ["x-detail": "failed on purpose"]
      )
    }
    var response = EchoResponse(payload: request.message.payload)
    if request.metadata.contains(key: "x-call-onward"), let onward = self.onward {
      response = try await onward(request.message)
    }
    self.record.withLock { $0.completed += 1 }
    var initial = Metadata()
    for value in request.metadata[stringValues: "x-echo"] { initial.addString(value, forKey: "x-echo") }
    var trailing = Metadata()
    for value in request.metadata[binaryValues: "x-echo-bin"] { trailing.addBinary(value, forKey: "x-echo-bin") }
    return ServerResponse(message: response, metadata: initial, trailingMetadata: trailing)
  }
}

/// A message whose encoding is whatever bytes it holds, to send what a real message would not.
struct RawBytesMessage: RPCMessage {
  var bytes: [UInt8]

  init(bytes: [UInt8]) {
    self.bytes = bytes
  }

  init(serializedBytes bytes: UnsafeRawBufferPointer) throws {
    self.bytes = Array(bytes)
  }

  func serialize<Target: SerializationTarget>(into target: inout Target) throws {
    target.appendSerialized(count: self.bytes.count) { buffer in
      buffer.copyBytes(from: self.bytes)
    }
  }
}
