#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Configuration from flags with environment-variable equivalents: a flag wins over its
/// variable, the variable over the embedded default.
public enum Environment {
  /// The value of an environment variable, if set and not empty.
  /// - Parameter name: The variable.
  public static func value(_ name: String) -> String? {
    guard let raw = getenv(name) else { return nil }
    let value = String(cString: raw)
    return value.isEmpty ? nil : value
  }

  /// `flag ?? $name ?? fallback`.
  public static func resolve(_ flag: String?, _ name: String, default fallback: String) -> String {
    flag ?? Self.value(name) ?? fallback
  }

  /// `flag ?? $name ?? fallback`, for integers; an unparsable variable is an error.
  public static func resolve(_ flag: Int?, _ name: String, default fallback: Int) throws -> Int {
    if let flag { return flag }
    guard let text = Self.value(name) else { return fallback }
    guard let value = Int(text) else { throw ConfigurationError("\(name)=\(text) is not an integer") }
    return value
  }

  /// Parses `HOST:PORT`.
  public static func hostAndPort(_ text: String, name: String) throws -> (host: String, port: Int) {
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
      throw ConfigurationError("\(name) must be HOST:PORT, not '\(text)'")
    }
    var host = String(text[..<colon])
    if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    return (host.isEmpty ? "127.0.0.1" : host, port)
  }

  /// A duration such as `2s`, `500ms`, `1m`.
  public static func duration(_ text: String, name: String) throws -> Duration {
    let units: [(String, Int64)] = [("ms", 1_000_000), ("us", 1_000), ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000)]
    for (suffix, nanoseconds) in units where text.hasSuffix(suffix) {
      if let amount = Double(text.dropLast(suffix.count)), amount >= 0 {
        return .nanoseconds(Int64(amount * Double(nanoseconds)))
      }
    }
    throw ConfigurationError("\(name) must be a duration such as 500ms or 2s, not '\(text)'")
  }
}

/// A configuration value that cannot be used.
public struct ConfigurationError: Error, CustomStringConvertible {
  public let description: String

  public init(_ description: String) {
    self.description = description
  }
}
