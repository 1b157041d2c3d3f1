internal import CSQLite

/// A failure reported by SQLite.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
  /// The extended result code.
  public let code: Int32
  /// `sqlite3_errmsg`, and the statement if there was one.
  public let message: String

  init(code: Int32, message: String) {
    self.code = code
    self.message = message
  }

  /// Whether a UNIQUE, PRIMARY KEY, CHECK or FOREIGN KEY constraint refused the write.
  public var isConstraintViolation: Bool { self.code & 0xFF == SQLITE_CONSTRAINT }

  /// Whether a UNIQUE constraint (or primary key) refused the write.
  public var isUniqueViolation: Bool {
    self.code == CSQLite_constraintUnique() || self.code == CSQLite_constraintPrimaryKey()
  }

  public var description: String { "SQLite error \(self.code): \(self.message)" }
}
