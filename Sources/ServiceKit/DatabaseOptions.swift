public import Logging
public import RPCCore
public import SQLiteStore
internal import Foundation

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
    try FileManager.default.createDirectory(
      at: URL(fileURLWithPath: self.path).deletingLastPathComponent(),
      withIntermediateDirectories: true
    )
  }
}

extension ServerRunner {
  /// The interceptors every service runs: one log line per call (with request-id propagation),
  /// then the service token, if one is configured.
  public static func serviceInterceptors(logger: Logger, serviceToken: String?) -> [any ServerInterceptor] {
    var interceptors: [any ServerInterceptor] = [RequestLoggingInterceptor(logger: logger)]
    if let serviceToken { interceptors.append(ServiceTokenInterceptor(token: serviceToken)) }
    return interceptors
  }
}
