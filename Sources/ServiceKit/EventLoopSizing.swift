internal import NIOCore
internal import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Sizes NIO's shared event loop group to the CPUs this process may run on.
///
/// NIO counts the machine's cores and cgroup quotas but not the process's CPU affinity, so a
/// service started under `taskset -c 0` (or in a cpuset) would run two event loops that take
/// turns on one core: a context switch between its own threads for every other request, and,
/// for a client, one upstream connection per loop, each carrying half the batch.
public enum EventLoopSizing {
  /// Sets the loop count NIO's singletons will use: `EVENT_LOOPS` if set, else the number of
  /// CPUs in this process's affinity mask, never more than NIO's own count. Call it first in
  /// `main`, before anything touches `MultiThreadedEventLoopGroup.singleton`.
  /// - Throws: ``ConfigurationError`` if `EVENT_LOOPS` is not a positive integer.
  public static func apply() throws {
    let count = try Self.loopCount(
      variable: Environment.value("EVENT_LOOPS"),
      allowedCPUs: Self.allowedCPUList().flatMap(Self.countCPUs(inList:)),
      coreCount: System.coreCount
    )
    NIOSingletons.groupLoopCountSuggestion = count
  }

  /// The loop count from its inputs.
  /// - Parameters:
  ///   - variable: `EVENT_LOOPS`, if set.
  ///   - allowedCPUs: How many CPUs the affinity mask allows, if known.
  ///   - coreCount: NIO's count (cores, cgroup quota, cpuset).
  public static func loopCount(variable: String?, allowedCPUs: Int?, coreCount: Int) throws -> Int {
    if let variable {
      guard let count = Int(variable), count > 0 else {
        throw ConfigurationError("EVENT_LOOPS=\(variable) is not a positive integer")
      }
      return count
    }
    return max(1, min(coreCount, allowedCPUs ?? coreCount))
  }

  /// `Cpus_allowed_list` of `/proc/self/status`, such as `0-1` or `0,2-3`; nil where there is none.
  private static func allowedCPUList() -> String? {
    let descriptor = open("/proc/self/status", O_RDONLY)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    // The file is a few KiB; a short read leaves the list out and the caller uses NIO's count.
    var bytes = [UInt8](repeating: 0, count: 16 << 10)
    let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
    guard count > 0 else { return nil }
    let status = String(decoding: bytes[..<count], as: UTF8.self)
    for line in status.split(separator: "\n") where line.hasPrefix("Cpus_allowed_list:") {
      return String(line.dropFirst("Cpus_allowed_list:".count))
    }
    return nil
  }

  /// Counts the CPUs of a Linux CPU list (`0-3,8,10-11`); nil if it does not parse.
  public static func countCPUs(inList list: String) -> Int? {
    var count = 0
    for range in list.split(separator: ",") {
      let bounds = range.split(separator: "-", omittingEmptySubsequences: false)
      let numbers = bounds.map { Int($0.filter { !$0.isWhitespace }) }
      switch numbers.count {
      case 1:
        guard numbers[0] != nil else { return nil }
        count += 1
      case 2:
        guard let low = numbers[0], let high = numbers[1], low <= high else { return nil }
        count += high - low + 1
      default:
        return nil
      }
    }
    return count > 0 ? count : nil
  }
}
