internal import ServiceKit
public import OrderV1
internal import RPCProtobufC
public import SQLiteStore

/// The order service's data: one SQLite file.
public struct OrderStore: Sendable {
  static let migrations = [
    SQLiteDatabase.Migration(
      version: 1,
      sql: """
        CREATE TABLE orders (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          id TEXT NOT NULL UNIQUE,
          user_id TEXT NOT NULL,
          status INTEGER NOT NULL,
          total_cents INTEGER NOT NULL,
          create_seconds INTEGER NOT NULL,
          create_nanos INTEGER NOT NULL,
          request_id TEXT NOT NULL
        );
        CREATE INDEX orders_by_user ON orders (user_id, seq);
        -- The idempotency key: one order per (user, request_id), enforced by the database so that
        -- concurrent duplicates cannot both commit.
        CREATE UNIQUE INDEX orders_idempotency ON orders (user_id, request_id) WHERE request_id != '';
        CREATE TABLE order_items (
          order_seq INTEGER NOT NULL REFERENCES orders (seq) ON DELETE CASCADE,
          position INTEGER NOT NULL,
          sku TEXT NOT NULL,
          quantity INTEGER NOT NULL,
          unit_price_cents INTEGER NOT NULL,
          PRIMARY KEY (order_seq, position)
        );
        """
    )
  ]

  public struct Row: Sendable {
    public let seq: Int64
    public let order: Order
  }

  private let database: SQLiteDatabase

  public init(path: String, durability: SQLiteDatabase.Durability = .full) throws {
    self.database = try SQLiteDatabase(path: path, durability: durability, migrations: Self.migrations)
  }

  /// The order a user created with `requestID`, if any.
  public func find(userID: String, requestID: String) async throws -> Order? {
    try await self.database.read { connection in
      guard let row = try connection.query(
        "SELECT \(Self.columns) FROM orders WHERE user_id = ? AND request_id = ?",
        [.text(userID), .text(requestID)]
      ).first else { return nil }
      return try Self.order(row, connection: connection).order
    }
  }

  /// Inserts an order with its items in one transaction. If the idempotency key is taken
  /// (a concurrent request with the same key committed first), returns that order instead.
  public func insert(userID: String, items: [LineItem], totalCents: Int64, requestID: String) async throws -> Order {
    let order = Order(
      id: RecordID.make(),
      userId: userID,
      items: items,
      status: .created,
      totalCents: totalCents,
      createTime: .now(),
      requestId: requestID
    )
    do {
      try await self.database.write { connection in
        try connection.execute(
          "INSERT INTO orders (id, user_id, status, total_cents, create_seconds, create_nanos, request_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
          [.text(order.id), .text(userID), .integer(Int64(order.status.rawValue)), .integer(totalCents),
           .integer(order.createTime!.seconds), .integer(Int64(order.createTime!.nanos)), .text(requestID)]
        )
        let seq = connection.lastInsertRowID
        for (position, item) in items.enumerated() {
          try connection.execute(
            "INSERT INTO order_items (order_seq, position, sku, quantity, unit_price_cents) VALUES (?, ?, ?, ?, ?)",
            [.integer(seq), .integer(Int64(position)), .text(item.sku), .integer(Int64(item.quantity)), .integer(item.unitPriceCents)]
          )
        }
      }
      return order
    } catch let error as SQLiteError where error.isUniqueViolation && !requestID.isEmpty {
      if let existing = try await self.find(userID: userID, requestID: requestID) { return existing }
      throw error
    }
  }

  public func get(id: String) async throws -> Order? {
    try await self.database.read { connection in
      try connection.query("SELECT \(Self.columns) FROM orders WHERE id = ?", [.text(id)]).first.map {
        try Self.order($0, connection: connection).order
      }
    }
  }

  /// Up to `limit` of a user's orders after position `after`, oldest first.
  public func list(userID: String, after: Int64, limit: Int) async throws -> [Row] {
    try await self.database.read { connection in
      try connection.query(
        "SELECT \(Self.columns) FROM orders WHERE user_id = ? AND seq > ? ORDER BY seq LIMIT ?",
        [.text(userID), .integer(after), .integer(Int64(limit))]
      ).map { try Self.order($0, connection: connection) }
    }
  }

  /// The outcome of a cancellation.
  public enum CancelOutcome: Sendable {
    case cancelled(Order)
    case notFound
    case notCancellable(OrderStatus)
  }

  /// Moves an order from CREATED to CANCELLED, atomically.
  public func cancel(id: String) async throws -> CancelOutcome {
    try await self.database.write { connection in
      guard let row = try connection.query("SELECT \(Self.columns) FROM orders WHERE id = ?", [.text(id)]).first else {
        return .notFound
      }
      var order = try Self.order(row, connection: connection).order
      guard order.status == .created else { return .notCancellable(order.status) }
      try connection.execute("UPDATE orders SET status = ? WHERE id = ?", [.integer(Int64(OrderStatus.cancelled.rawValue)), .text(id)])
      order.status = .cancelled
      return .cancelled(order)
    }
  }

  private static let columns = "seq, id, user_id, status, total_cents, create_seconds, create_nanos, request_id"

  private static func order(_ row: SQLiteRow, connection: SQLiteConnection) throws -> Row {
    let seq = row.integer(0)
    let items = try connection.query(
      "SELECT sku, quantity, unit_price_cents FROM order_items WHERE order_seq = ? ORDER BY position",
      [.integer(seq)]
    ).map { LineItem(sku: $0.text(0), quantity: Int32($0.integer(1)), unitPriceCents: $0.integer(2)) }
    return Row(
      seq: seq,
      order: Order(
        id: row.text(1),
        userId: row.text(2),
        items: items,
        status: OrderStatus(rawValue: Int32(row.integer(3))),
        totalCents: row.integer(4),
        createTime: Timestamp(seconds: row.integer(5), nanos: Int32(row.integer(6))),
        requestId: row.text(7)
      )
    )
  }
}
