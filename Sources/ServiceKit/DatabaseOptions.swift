public import Logging
public import RPCCore
public import RPCTransport
public import SQLiteStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The database options every service shares: `--db` (or its variable) and `--durability`.
public struct DatabaseOptions: Sendable {
  /// The database file; its folder exists.
  public let path: String
  public let durability: SQLiteDatabase.Durability

  /// Resolves the options and creates the database's folder.
  /// - Parameters:
  ///   - db: The `--db` flag.
  ///   - pathVariable: Its environment variable.
  ///   - defaultPath: The embedded default.
  ///   - durability: The `--durability` flag; `DB_DURABILITY` otherwise, `full` by default.
  public init(db: String?, pathVariable: String, defaultPath: String, durability: String?) throws {
    self.path = Environment.resolve(db, pathVariable, default: defaultPath)
    let name = Environment.resolve(durability, "DB_DURABILITY", default: "full")
    guard let durability = SQLiteDatabase.Durability(rawValue: name) else {
      throw ConfigurationError("--durability must be full or normal, not '\(name)'")
    }
    self.durability = durability
    try Self.createDirectories(forFile: self.path)
  }

  /// `mkdir -p` of the file's folder (without Foundation, which would add megabytes to every
  /// server's memory).
  static func createDirectories(forFile path: String) throws {
    var folder = ""
    let components = path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
    for (index, component) in components.enumerated() {
      folder += (index == 0 ? "" : "/") + component
      if folder.isEmpty || component == "." || component == ".." { continue }
      if mkdir(folder, 0o755) != 0 && errno != EEXIST {
        throw ConfigurationError("cannot create the folder \(folder) for \(path): \(String(cString: strerror(errno)))")
      }
    }
  }
}

/// Random identifiers for stored records: UUID version 4, lowercase.
public enum RecordID {
  public static func make() -> String {
    var bytes = (0..<16).map { _ in UInt8.random(in: 0...255) }
    bytes[6] = bytes[6] & 0x0F | 0x40
    bytes[8] = bytes[8] & 0x3F | 0x80
    let hex = bytes.map { byte -> String in
      let digits = String(byte, radix: 16)
      return digits.count == 1 ? "0" + digits : digits
    }
    return [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }.joined(separator: "-")
  }
}

extension ServerRunner {
  /// The server options every service shares: `--host`, `--port` and `--max-message-bytes`
  /// (variables `<PREFIX>_HOST`, `<PREFIX>_PORT`, `MAX_MESSAGE_BYTES`).
  public static func configuration(
    host: String?,
    port: Int?,
    maxMessageBytes: Int?,
    variablePrefix: String,
    defaultPort: Int
  ) throws -> ServerConfiguration {
    var configuration = ServerConfiguration(
      host: Environment.resolve(host, "\(variablePrefix)_HOST", default: "127.0.0.1"),
      port: try Environment.resolve(port, "\(variablePrefix)_PORT", default: defaultPort)
    )
    configuration.maxReceiveMessageBytes = try Environment.resolve(maxMessageBytes, "MAX_MESSAGE_BYTES", default: 4 << 20)
    return configuration
  }

  /// The interceptors every service runs: one log line per call (with request-id propagation),
  /// then the service token, if one is configured.
  public static func serviceInterceptors(logger: Logger, serviceToken: String?) -> [any ServerInterceptor] {
    var interceptors: [any ServerInterceptor] = [RequestLoggingInterceptor(logger: logger)]
    if let serviceToken { interceptors.append(ServiceTokenInterceptor(token: serviceToken)) }
    return interceptors
  }
}
