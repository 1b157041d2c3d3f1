internal import CSQLite

/// A value bound to or read from a statement.
public enum SQLiteValue: Sendable, Hashable {
  case integer(Int64)
  case real(Double)
  case text(String)
  case blob([UInt8])
  case null
}

/// One row of a query result.
public struct SQLiteRow: Sendable {
  public let values: [SQLiteValue]

  /// The integer in `column`, or 0.
  public func integer(_ column: Int) -> Int64 {
    if case .integer(let value) = self.values[column] { return value }
    return 0
  }

  /// The text in `column`, or "".
  public func text(_ column: Int) -> String {
    if case .text(let value) = self.values[column] { return value }
    return ""
  }
}

/// One SQLite connection. Not thread-safe: ``SQLiteDatabase`` serialises access to it.
public final class SQLiteConnection {
  private let handle: OpaquePointer
  private var statements: [String: OpaquePointer] = [:]

  init(path: String) throws(SQLiteError) {
    var handle: OpaquePointer?
    let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
    let result = sqlite3_open_v2(path, &handle, flags, nil)
    guard result == SQLITE_OK, let handle else {
      let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
      sqlite3_close_v2(handle)
      throw SQLiteError(code: result, message: "\(message) (\(path))")
    }
    self.handle = handle
    sqlite3_extended_result_codes(handle, 1)
  }

  deinit {
    for statement in self.statements.values { sqlite3_finalize(statement) }
    sqlite3_close_v2(self.handle)
  }

  /// Runs one or more statements without bindings or results (schema, pragmas).
  /// - Parameter sql: The SQL.
  public func executeScript(_ sql: String) throws(SQLiteError) {
    var errorMessage: UnsafeMutablePointer<CChar>?
    let result = sqlite3_exec(self.handle, sql, nil, nil, &errorMessage)
    if result != SQLITE_OK {
      let message = errorMessage.map { String(cString: $0) } ?? "error"
      sqlite3_free(errorMessage)
      throw SQLiteError(code: result, message: message)
    }
  }

  /// Runs a statement with bindings; returns the number of rows changed.
  /// - Parameters:
  ///   - sql: One statement, `?` for each binding.
  ///   - bindings: The values.
  @discardableResult
  public func execute(_ sql: String, _ bindings: [SQLiteValue] = []) throws(SQLiteError) -> Int {
    _ = try self.query(sql, bindings)
    return Int(sqlite3_changes(self.handle))
  }

  /// Runs a query and returns its rows.
  /// - Parameters:
  ///   - sql: One statement, `?` for each binding.
  ///   - bindings: The values.
  public func query(_ sql: String, _ bindings: [SQLiteValue] = []) throws(SQLiteError) -> [SQLiteRow] {
    let statement = try self.prepared(sql)
    defer {
      sqlite3_reset(statement)
      sqlite3_clear_bindings(statement)
    }
    for (index, value) in bindings.enumerated() {
      let position = Int32(index + 1)
      let result: Int32
      switch value {
      case .integer(let integer): result = sqlite3_bind_int64(statement, position, integer)
      case .real(let real): result = sqlite3_bind_double(statement, position, real)
      case .text(let text): result = sqlite3_bind_text(statement, position, text, -1, CSQLite_transient())
      case .blob(let blob):
        result = blob.withUnsafeBytes { sqlite3_bind_blob(statement, position, $0.baseAddress, Int32($0.count), CSQLite_transient()) }
      case .null: result = sqlite3_bind_null(statement, position)
      }
      guard result == SQLITE_OK else { throw self.error(result, sql) }
    }
    var rows: [SQLiteRow] = []
    while true {
      let result = sqlite3_step(statement)
      if result == SQLITE_DONE { break }
      guard result == SQLITE_ROW else { throw self.error(result, sql) }
      let columns = sqlite3_column_count(statement)
      var values: [SQLiteValue] = []
      values.reserveCapacity(Int(columns))
      for column in 0..<columns {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(statement, column)))
        case SQLITE_FLOAT: values.append(.real(sqlite3_column_double(statement, column)))
        case SQLITE_TEXT: values.append(.text(String(cString: sqlite3_column_text(statement, column))))
        case SQLITE_BLOB:
          let count = Int(sqlite3_column_bytes(statement, column))
          let bytes = sqlite3_column_blob(statement, column).map { Array(UnsafeRawBufferPointer(start: $0, count: count)) } ?? []
          values.append(.blob(bytes))
        default: values.append(.null)
        }
      }
      rows.append(SQLiteRow(values: values))
    }
    return rows
  }

  /// The rowid of the last insert.
  public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(self.handle) }

  private func prepared(_ sql: String) throws(SQLiteError) -> OpaquePointer {
    if let statement = self.statements[sql] { return statement }
    var statement: OpaquePointer?
    let result = sqlite3_prepare_v2(self.handle, sql, -1, &statement, nil)
    guard result == SQLITE_OK, let statement else { throw self.error(result, sql) }
    self.statements[sql] = statement
    return statement
  }

  private func error(_ code: Int32, _ sql: String) -> SQLiteError {
    SQLiteError(code: sqlite3_extended_errcode(self.handle), message: "\(String(cString: sqlite3_errmsg(self.handle))) in: \(sql)")
  }
}
