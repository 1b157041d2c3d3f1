public import OrderV1
public import RPCCore
internal import ServiceKit

/// `order.v1.OrderService` over the SQLite store, checking customers with the user service.
public struct OrderServiceHandler: OrderService.SimpleServiceProtocol {
  private let store: OrderStore
  private let users: any UserDirectory

  public init(store: OrderStore, users: any UserDirectory) {
    self.store = store
    self.users = users
  }

  public func createOrder(_ request: CreateOrderRequest, context: ServerContext) async throws -> Order {
    let userID = try Self.required(request.userId, field: "user_id")
    let requestID = request.requestId
    guard requestID.utf8.count <= 128 else {
      throw RPCError(code: .invalidArgument, message: "request_id: must be at most 128 bytes")
    }
    let total = try OrderValidation.total(of: request.items)
    // A request we already served returns the order it created, without asking anyone.
    if !requestID.isEmpty, let existing = try await self.store.find(userID: userID, requestID: requestID) {
      return existing
    }
    guard try await self.users.userExists(id: userID) else {
      throw RPCError(code: .failedPrecondition, message: "user_id: user \(userID) does not exist")
    }
    return try await self.store.insert(userID: userID, items: request.items, totalCents: total, requestID: requestID)
  }

  public func getOrder(_ request: GetOrderRequest, context: ServerContext) async throws -> Order {
    let id = try Self.required(request.id, field: "id")
    guard let order = try await self.store.get(id: id) else {
      throw RPCError(code: .notFound, message: "order \(id) not found")
    }
    return order
  }

  public func listOrders(_ request: ListOrdersRequest, context: ServerContext) async throws -> ListOrdersResponse {
    let userID = try Self.required(request.userId, field: "user_id")
    let size = try PageToken.pageSize(request.pageSize)
    let token = try PageToken.parse(request.pageToken, scope: "orders:\(userID)")
    let rows = try await self.store.list(userID: userID, after: token?.after ?? 0, limit: size + 1)
    let page = rows.prefix(size)
    let next = rows.count > size ? PageToken(after: page.last!.seq, scope: "orders:\(userID)").encoded : ""
    return ListOrdersResponse(orders: page.map(\.order), nextPageToken: next)
  }

  public func cancelOrder(_ request: CancelOrderRequest, context: ServerContext) async throws -> Order {
    let id = try Self.required(request.id, field: "id")
    switch try await self.store.cancel(id: id) {
    case .cancelled(let order):
      return order
    case .notFound:
      throw RPCError(code: .notFound, message: "order \(id) not found")
    case .notCancellable(let status):
      let name = OrderStatus.protoNames[status.rawValue] ?? "\(status.rawValue)"
      throw RPCError(code: .failedPrecondition, message: "status: only an ORDER_STATUS_CREATED order can be cancelled; this one is \(name)")
    }
  }

  private static func required(_ value: String, field: String) throws(RPCError) -> String {
    guard !value.isEmpty else { throw RPCError(code: .invalidArgument, message: "\(field): is required") }
    guard value.utf8.count <= 64 else { throw RPCError(code: .invalidArgument, message: "\(field): must be at most 64 bytes") }
    return value
  }
}

/// Field rules of the order contract; each failure names its field.
public enum OrderValidation {
  /// The most items one order may have.
  public static let maxItems = 1000

  /// Checks the items and returns the total in cents, computed here in integers.
  public static func total(of items: [LineItem]) throws(RPCError) -> Int64 {
    guard !items.isEmpty else { throw RPCError(code: .invalidArgument, message: "items: at least one item is required") }
    guard items.count <= Self.maxItems else {
      throw RPCError(code: .invalidArgument, message: "items: at most \(Self.maxItems) items")
    }
    var total: Int64 = 0
    for (index, item) in items.enumerated() {
      guard !item.sku.isEmpty else { throw RPCError(code: .invalidArgument, message: "items[\(index)].sku: is required") }
      guard item.sku.utf8.count <= 64 else {
        throw RPCError(code: .invalidArgument, message: "items[\(index)].sku: must be at most 64 bytes")
      }
      guard item.quantity >= 1 else {
        throw RPCError(code: .invalidArgument, message: "items[\(index)].quantity: must be at least 1")
      }
      guard item.unitPriceCents >= 0 else {
        throw RPCError(code: .invalidArgument, message: "items[\(index)].unit_price_cents: must not be negative")
      }
      let (line, lineOverflow) = Int64(item.quantity).multipliedReportingOverflow(by: item.unitPriceCents)
      let (sum, sumOverflow) = total.addingReportingOverflow(line)
      guard !lineOverflow, !sumOverflow else {
        throw RPCError(code: .invalidArgument, message: "items[\(index)]: the order total overflows")
      }
      total = sum
    }
    return total
  }
}
