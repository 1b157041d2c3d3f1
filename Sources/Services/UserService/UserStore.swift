internal import ServiceKit
internal import RPCProtobufC
public import SQLiteStore
public import UserV1

/// The user service's data: one SQLite file, no other copy.
public struct UserStore: Sendable {
  static let migrations = [
    SQLiteDatabase.Migration(
      version: 1,
      sql: """
        CREATE TABLE users (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          id TEXT NOT NULL UNIQUE,
          name TEXT NOT NULL,
          email TEXT NOT NULL,
          email_key TEXT NOT NULL UNIQUE,
          create_seconds INTEGER NOT NULL,
          create_nanos INTEGER NOT NULL
        );
        """
    )
  ]

  /// A user and its position in listing order.
  public struct Row: Sendable {
    public let seq: Int64
    public let user: User
  }

  /// Why a write failed in a way the caller should report.
  public enum Failure: Error, Equatable {
    case emailTaken
  }

  private let database: SQLiteDatabase

  /// Opens (and migrates) the database at `path`.
  public init(path: String, durability: SQLiteDatabase.Durability = .full) throws {
    self.database = try SQLiteDatabase(path: path, durability: durability, migrations: Self.migrations)
  }

  public func create(name: String, email: String) async throws -> User {
    let user = User(id: RecordID.make(), name: name, email: email, createTime: .now())
    do {
      try await self.database.write { connection in
        try connection.execute(
          "INSERT INTO users (id, name, email, email_key, create_seconds, create_nanos) VALUES (?, ?, ?, ?, ?, ?)",
          [.text(user.id), .text(name), .text(email), .text(Self.emailKey(email)),
           .integer(user.createTime!.seconds), .integer(Int64(user.createTime!.nanos))]
        )
      }
    } catch let error as SQLiteError where error.isUniqueViolation {
      throw Failure.emailTaken
    }
    return user
  }

  public func get(id: String) async throws -> User? {
    try await self.database.read { connection in
      try connection.query("SELECT seq, id, name, email, create_seconds, create_nanos FROM users WHERE id = ?", [.text(id)])
        .first.map(Self.row)?.user
    }
  }

  /// Up to `limit` users after position `after`, oldest first.
  public func list(after: Int64, limit: Int) async throws -> [Row] {
    try await self.database.read { connection in
      try connection.query(
        "SELECT seq, id, name, email, create_seconds, create_nanos FROM users WHERE seq > ? ORDER BY seq LIMIT ?",
        [.integer(after), .integer(Int64(limit))]
      ).map(Self.row)
    }
  }

  /// Deletes a user; false if there was none.
  public func delete(id: String) async throws -> Bool {
    try await self.database.write { connection in
      try connection.execute("DELETE FROM users WHERE id = ?", [.text(id)]) > 0
    }
  }

  /// Emails are unique regardless of case.
  static func emailKey(_ email: String) -> String {
    email.lowercased()
  }

  private static func row(_ row: SQLiteRow) -> Row {
    Row(
      seq: row.integer(0),
      user: User(
        id: row.text(1),
        name: row.text(2),
        email: row.text(3),
        createTime: Timestamp(seconds: row.integer(4), nanos: Int32(row.integer(5)))
      )
    )
  }
}
