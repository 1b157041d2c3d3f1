// The floor under the edge: SwiftNIO's HTTP/1.1 codec, as the edge sets it up, answering every
// request with a fixed JSON body of the size GET /v1/users/{id} returns. No routing, no auth, no
// upstream call: what any HTTP/1.1 edge on NIO pays per request on this machine before doing work.
import ArgumentParser
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

final class FixedResponder: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundOut = HTTPServerResponsePart

  private static let body = Array(
    #"{"id":"01JD3X5R8Q2W7YV4K9M6N0PZTB","name":"Edge User","email":"edge@example.com","createTime":"2026-11-22T07:41:51Z"}"#.utf8
  )
  private var keepAlive = true

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch self.unwrapInboundIn(data) {
    case .head(let head):
      self.keepAlive = head.isKeepAlive
    case .body:
      break
    case .end:
      var headers = HTTPHeaders()
      headers.add(name: "content-type", value: "application/json")
      headers.add(name: "content-length", value: String(Self.body.count))
      headers.add(name: "x-request-id", value: "0123456789abcdef0123456789abcdef")
      if !self.keepAlive { headers.add(name: "connection", value: "close") }
      context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
      context.write(self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: Self.body)))), promise: nil)
      let closing = !self.keepAlive
      let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
      context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in
        if closing { loopBound.value.close(promise: nil) }
      }
    }
  }
}

@main
struct HTTP1Floor: AsyncParsableCommand {
  @Option var port = 0

  /// Event loops, as the project's servers size them to their CPU affinity (EVENT_LOOPS).
  @Option var eventLoops = 1

  func run() async throws {
    NIOSingletons.groupLoopCountSuggestion = self.eventLoops
    let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.backlog, value: 1024)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          let pipeline = channel.pipeline.syncOperations
          try pipeline.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
          try pipeline.addHandler(HTTPResponseEncoder())
          try pipeline.addHandler(FixedResponder())
        }
      }
      .bind(host: "127.0.0.1", port: self.port).get()
    FileHandle.standardOutput.write(Data("listening 127.0.0.1:\(listener.localAddress?.port ?? 0)\n".utf8))
    try await listener.closeFuture.get()
  }
}
