public import NIOPosix
internal import Synchronization

/// A SQLite database file owned by one service: opened in WAL mode, migrated on open, every
/// write in a transaction. Work runs on a thread pool, never on an event loop, because a commit
/// waits for the disk.
public final class SQLiteDatabase: Sendable {
  /// How hard a commit waits for the disk.
  public enum Durability: String, Sendable {
    /// `synchronous=FULL`: a commit is on disk when it returns; survives power loss.
    case full
    /// `synchronous=NORMAL`: survives a crash of the process, may lose the last commits on power
    /// loss; much faster.
    case normal
  }

  /// One schema change, applied once, in order of `version`.
  public struct Migration: Sendable {
    public let version: Int
    public let sql: String

    public init(version: Int, sql: String) {
      self.version = version
      self.sql = sql
    }
  }

  private let connection: Mutex<SQLiteConnection>
  private let pool: NIOThreadPool
  /// The database file.
  public let path: String

  /// Opens (creating if needed) and migrates a database.
  /// - Parameters:
  ///   - path: The file; its folder must exist.
  ///   - durability: What a commit guarantees.
  ///   - migrations: The schema, as ordered changes.
  ///   - pool: Where database work runs.
  public init(
    path: String,
    durability: Durability = .full,
    migrations: [Migration],
    pool: NIOThreadPool = .singleton
  ) throws {
    let connection = try SQLiteConnection(path: path)
    try connection.executeScript(
      """
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = \(durability == .full ? "FULL" : "NORMAL");
      PRAGMA foreign_keys = ON;
      PRAGMA busy_timeout = 5000;
      """
    )
    let current = try connection.query("PRAGMA user_version").first?.integer(0) ?? 0
    for migration in migrations.sorted(by: { $0.version < $1.version }) where migration.version > current {
      try connection.executeScript("BEGIN IMMEDIATE")
      do {
        try connection.executeScript(migration.sql)
        try connection.executeScript("PRAGMA user_version = \(migration.version)")
        try connection.executeScript("COMMIT")
      } catch {
        try? connection.executeScript("ROLLBACK")
        throw error
      }
    }
    self.connection = Mutex(connection)
    self.pool = pool
    self.path = path
  }

  /// Runs `body` in a write transaction (BEGIN IMMEDIATE ... COMMIT), rolled back if it throws.
  /// - Parameter body: The statements.
  @discardableResult
  public func write<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
    try await self.pool.runIfActive {
      try self.connection.withLock { connection in
        try connection.executeScript("BEGIN IMMEDIATE")
        do {
          let result = try body(connection)
          try connection.executeScript("COMMIT")
          return result
        } catch {
          try? connection.executeScript("ROLLBACK")
          throw error
        }
      }
    }
  }

  /// Runs `body` for reading.
  /// - Parameter body: The queries.
  public func read<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
    try await self.pool.runIfActive {
      try self.connection.withLock { connection in try body(connection) }
    }
  }
}
