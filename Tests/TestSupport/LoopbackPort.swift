import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Ports for servers that a test restarts on the same port.
///
/// A port the kernel chose (`--port 0`) comes from the ephemeral range, which it also hands out
/// as the local port of every outgoing connection: once such a server is killed, any connection
/// another test opens may take its port, and the restart fails with "Address already in use".
/// These ports lie below that range, where the kernel never picks one by itself.
public enum LoopbackPort {
  private static let range = 20_000..<32_768
  private static let next = Mutex(Int.random(in: 0..<range.count))

  /// A port below the ephemeral range that nothing listens on now, different on each call.
  public static func unused() -> Int {
    for _ in 0..<range.count {
      let port = next.withLock { offset in
        defer { offset = (offset + 1) % range.count }
        return range.lowerBound + offset
      }
      if isFree(port) { return port }
    }
    fatalError("no free loopback port in \(range)")
  }

  private static func isFree(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    return withLoopbackAddress(port: port) { bind(fd, $0, $1) } == 0
  }
}
