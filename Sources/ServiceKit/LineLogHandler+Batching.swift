public import Logging
internal import NIOCore
internal import NIOPosix

extension LineLogHandler {
  /// Writes a line in this handler's format with the fields in the order given, without going
  /// through a `Logger` (for access lines, where building and sorting a metadata dictionary was a
  /// measurable part of a request); on an event loop, together with the other lines that loop
  /// writes in the same round of work.
  ///
  /// The servers write one line per request, and one `write(2)` each cost as much as a tenth of
  /// a request where stderr is a pipe (a container runtime, journald). On an event loop the line
  /// waits in that thread's buffer until the work the loop has queued now is done, then goes out
  /// with the others in one `write(2)`; off a loop it is written at once. Lines of one thread
  /// keep their order; ``flushBatchedLines(on:)`` writes what waits before a process exits.
  /// - Parameters:
  ///   - label: The label, as a logger's.
  ///   - level: The level written.
  ///   - message: The message.
  ///   - fields: `key=value` pairs, in order.
  public static func writeLineBatched(label: String, level: Logger.Level, message: String, fields: KeyValuePairs<String, String>) {
    Self.enqueue(Self.line(label: label, level: level, message: message, fields: fields))
  }

  /// The same, with the fields in an array.
  public static func writeLineBatched(label: String, level: Logger.Level, message: String, fields: [(key: String, value: String)]) {
    Self.enqueue(Self.line(label: label, level: level, message: message, fields: fields))
  }

  /// Writes the lines waiting on every loop of `group`; ``ServerRunner`` calls it once the
  /// process's services have stopped.
  /// - Parameter group: The loops that wrote lines.
  static func flushBatchedLines(on group: any EventLoopGroup) async {
    for eventLoop in group.makeIterator() {
      try? await eventLoop.submit { Self.flushPendingLines() }.get()
    }
  }

  /// Beyond this many bytes waiting, a loop writes at once rather than at the end of its round.
  static let maxPendingLineBytes = 64 << 10

  private static func enqueue(_ line: [UInt8]) {
    guard let eventLoop = MultiThreadedEventLoopGroup.currentEventLoop else {
      Self.writeToStandardError(line)
      return
    }
    let pending: PendingLines
    if let existing = Self.pendingLines.currentValue {
      pending = existing
    } else {
      pending = PendingLines()
      Self.pendingLines.currentValue = pending
    }
    pending.bytes += line
    if pending.bytes.count >= Self.maxPendingLineBytes {
      Self.flushPendingLines()
    } else if !pending.flushScheduled {
      pending.flushScheduled = true
      eventLoop.execute { Self.flushPendingLines() }
    }
  }

  private static func flushPendingLines() {
    guard let pending = Self.pendingLines.currentValue else { return }
    pending.flushScheduled = false
    guard !pending.bytes.isEmpty else { return }
    Self.writeToStandardError(pending.bytes)
    pending.bytes.removeAll(keepingCapacity: pending.bytes.capacity <= Self.maxPendingLineBytes * 2)
  }

  private static let pendingLines = ThreadSpecificVariable<PendingLines>()
}

/// The lines one event loop thread has written and not yet handed to the kernel.
private final class PendingLines: @unchecked Sendable {
  // @unchecked: each instance lives in one thread's slot of a ThreadSpecificVariable and only
  // that thread touches it.
  var bytes: [UInt8] = []
  var flushScheduled = false
}
