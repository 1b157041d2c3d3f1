public import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writes each event to stderr as one line:
/// `2026-11-22T07:41:51.123Z info edge: http method=GET status=200 request_id=…`.
///
/// The servers log once per request, so this is on the hot path. Unlike swift-log's
/// `StreamLogHandler` it formats UTC time by hand (`localtime` looks at `/etc/localtime` on every
/// call), writes the line straight into one byte buffer, and hands it to the kernel in one
/// `write(2)`, so lines from concurrent requests never interleave. Metadata keys are sorted; a
/// value with a space, quote or `=` in it is quoted, so every line splits into `key=value` pairs.
public struct LineLogHandler: LogHandler {
  public var metadata: Logger.Metadata = [:]
  public var metadataProvider: Logger.MetadataProvider?
  public var logLevel: Logger.Level
  private let label: String

  /// - Parameters:
  ///   - label: The logger's label, written after the level.
  ///   - level: The lowest level written.
  public init(label: String, level: Logger.Level = .info) {
    self.label = label
    self.logLevel = level
  }

  public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { self.metadata[key] }
    set { self.metadata[key] = newValue }
  }

  public func log(event: LogEvent) {
    var fields: Logger.Metadata
    if self.metadata.isEmpty && self.metadataProvider == nil, let explicit = event.metadata {
      fields = explicit  // the usual case: no merge, no new dictionary
    } else {
      fields = self.metadata
      if let provided = self.metadataProvider?.get() { fields.merge(provided) { _, new in new } }
      if let explicit = event.metadata { fields.merge(explicit) { _, new in new } }
    }
    if let error = event.error { fields["error"] = "\(error)" }

    let rendered = fields.keys.sorted().map { key in (key, Self.text(of: fields[key]!)) }
    Self.writeToStandardError(Self.line(label: self.label, level: event.level, message: event.message.description, fields: rendered))
  }

  static func line(label: String, level: Logger.Level, message: String, fields: some Sequence<(key: String, value: String)>) -> [UInt8] {
    var line: [UInt8] = []
    line.reserveCapacity(256)
    Self.appendTimestamp(to: &line)
    line.append(UInt8(ascii: " "))
    line.append(contentsOf: level.rawValue.utf8)
    line.append(UInt8(ascii: " "))
    line.append(contentsOf: label.utf8)
    line.append(contentsOf: ": ".utf8)
    line.append(contentsOf: message.utf8)
    for (key, value) in fields {
      line.append(UInt8(ascii: " "))
      line.append(contentsOf: key.utf8)
      line.append(UInt8(ascii: "="))
      Self.appendValue(value, to: &line)
    }
    line.append(UInt8(ascii: "\n"))
    return line
  }

  private static func text(of value: Logger.Metadata.Value) -> String {
    switch value {
    case .string(let string): string
    case .stringConvertible(let convertible): convertible.description
    default: value.description
    }
  }

  private static func appendValue(_ text: String, to line: inout [UInt8]) {
    guard text.utf8.contains(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "=") || $0 < 0x20 }) else {
      line.append(contentsOf: text.utf8)
      return
    }
    line.append(UInt8(ascii: "\""))
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"):
        line.append(UInt8(ascii: "\\"))
        line.append(byte)
      case UInt8(ascii: "\n"):
        line.append(contentsOf: "\\n".utf8)
      case ..<0x20:
        line.append(UInt8(ascii: " "))
      default:
        line.append(byte)
      }
    }
    line.append(UInt8(ascii: "\""))
  }

  /// `YYYY-MM-DDTHH:MM:SS.mmmZ`.
  static func appendTimestamp(to line: inout [UInt8]) {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    var seconds = now.tv_sec
    var parts = tm()
    gmtime_r(&seconds, &parts)
    Self.appendDigits(Int(parts.tm_year) + 1900, count: 4, to: &line)
    line.append(UInt8(ascii: "-"))
    Self.appendDigits(Int(parts.tm_mon) + 1, count: 2, to: &line)
    line.append(UInt8(ascii: "-"))
    Self.appendDigits(Int(parts.tm_mday), count: 2, to: &line)
    line.append(UInt8(ascii: "T"))
    Self.appendDigits(Int(parts.tm_hour), count: 2, to: &line)
    line.append(UInt8(ascii: ":"))
    Self.appendDigits(Int(parts.tm_min), count: 2, to: &line)
    line.append(UInt8(ascii: ":"))
    Self.appendDigits(Int(parts.tm_sec), count: 2, to: &line)
    line.append(UInt8(ascii: "."))
    Self.appendDigits(Int(now.tv_nsec) / 1_000_000, count: 3, to: &line)
    line.append(UInt8(ascii: "Z"))
  }

  private static func appendDigits(_ value: Int, count: Int, to line: inout [UInt8]) {
    var divisor = 1
    for _ in 1..<count { divisor *= 10 }
    var rest = value
    while divisor > 0 {
      line.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
      rest %= divisor
      divisor /= 10
    }
  }

  static func writeToStandardError(_ line: [UInt8]) {
    line.withUnsafeBytes { bytes in
      var offset = 0
      while offset < bytes.count {
        let written = write(2, bytes.baseAddress! + offset, bytes.count - offset)
        if written > 0 {
          offset += written
        } else if written < 0 && errno == EINTR {
          continue
        } else {
          return  // stderr is gone; a log line is not worth failing a request for
        }
      }
    }
  }
}
