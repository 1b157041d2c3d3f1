public import Hummingbird
internal import NIOCore

/// Per-request context: Hummingbird's core storage plus the peer's address.
public struct EdgeContext: RequestContext {
  public var coreContext: CoreRequestContextStorage
  /// The client's address, `ip:port`, or "unknown".
  public let peer: String
  /// The client's IP address, the rate limit's key without a token.
  public let peerIP: String

  public init(source: ApplicationRequestContextSource) {
    self.coreContext = .init(source: source)
    let address = source.channel.remoteAddress
    self.peerIP = address?.ipAddress ?? "unknown"
    self.peer = address.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "unknown"
  }

  /// The edge parses bodies itself, with its own limit.
  public var maxUploadSize: Int { .max }
}
