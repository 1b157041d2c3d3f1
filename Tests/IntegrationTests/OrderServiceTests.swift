import Foundation
import OrderV1
import RPCCore
import Synchronization
import TestSupport
import Testing
import UserV1

@Suite("order-service", .serialized)
struct OrderServiceTests {
  static let items = [
    LineItem(sku: "BOOK", quantity: 2, unitPriceCents: 1250),
    LineItem(sku: "PEN", quantity: 3, unitPriceCents: 199),
  ]

  @Test("Create, get, list and cancel orders; totals are computed by the service")
  func api() async throws {
    try await withCluster { (cluster: ServiceCluster) async throws in
      let user = try await cluster.users.createUser(CreateUserRequest(name: "Buyer", email: "buyer@example.com"))
      let orders = cluster.orders
      let order = try await orders.createOrder(CreateOrderRequest(userId: user.id, items: Self.items))
      #expect(order.totalCents == 2 * 1250 + 3 * 199)
      #expect(order.status == .created)
      #expect(order.items == Self.items)
      #expect(try await orders.getOrder(GetOrderRequest(id: order.id)) == order)
      let second = try await orders.createOrder(CreateOrderRequest(userId: user.id, items: [LineItem(sku: "X", quantity: 1, unitPriceCents: 0)]))
      let list = try await orders.listOrders(ListOrdersRequest(userId: user.id))
      #expect(list.orders.map(\.id) == [order.id, second.id])
      let page = try await orders.listOrders(ListOrdersRequest(userId: user.id, pageSize: 1))
      #expect(page.orders.map(\.id) == [order.id])
      let rest = try await orders.listOrders(ListOrdersRequest(userId: user.id, pageSize: 1, pageToken: page.nextPageToken))
      #expect(rest.orders.map(\.id) == [second.id])
      #expect(try await orders.listOrders(ListOrdersRequest(userId: "nobody")).orders.isEmpty)
      // A token for one user's list is not valid for another's.
      #expect(await rpcError { try await orders.listOrders(ListOrdersRequest(userId: "other", pageToken: page.nextPageToken)) }?.code == .invalidArgument)

      let cancelled = try await orders.cancelOrder(CancelOrderRequest(id: order.id))
      #expect(cancelled.status == .cancelled)
      let again = await rpcError { try await orders.cancelOrder(CancelOrderRequest(id: order.id)) }
      #expect(again?.code == .failedPrecondition)
      #expect(await rpcError { try await orders.cancelOrder(CancelOrderRequest(id: "missing")) }?.code == .notFound)
      #expect(await rpcError { try await orders.getOrder(GetOrderRequest(id: "missing")) }?.code == .notFound)
    }
  }

  @Test("An unknown customer is FAILED_PRECONDITION")
  func unknownUser() async throws {
    try await withCluster { (cluster: ServiceCluster) async throws in
      let error = await rpcError { try await cluster.orders.createOrder(CreateOrderRequest(userId: "no-such-user", items: Self.items)) }
      #expect(error?.code == .failedPrecondition)
      #expect(error?.message.hasPrefix("user_id:") == true)
    }
  }

  @Test("Each field is validated, and the message names it")
  func validation() async throws {
    try await withCluster { (cluster: ServiceCluster) async throws in
      let cases: [(CreateOrderRequest, String)] = [
        (CreateOrderRequest(userId: "", items: Self.items), "user_id"),
        (CreateOrderRequest(userId: "u", items: []), "items"),
        (CreateOrderRequest(userId: "u", items: [LineItem(sku: "", quantity: 1, unitPriceCents: 1)]), "items[0].sku"),
        (CreateOrderRequest(userId: "u", items: [Self.items[0], LineItem(sku: "A", quantity: 0, unitPriceCents: 1)]), "items[1].quantity"),
        (CreateOrderRequest(userId: "u", items: [LineItem(sku: "A", quantity: 1, unitPriceCents: -1)]), "items[0].unit_price_cents"),
        (CreateOrderRequest(userId: "u", items: [LineItem(sku: "A", quantity: .max, unitPriceCents: .max)]), "items[0]"),
      ]
      for (request, field) in cases {
        let error = await rpcError { try await cluster.orders.createOrder(request) }
        #expect(error?.code == .invalidArgument, "\(request)")
        #expect(error?.message.hasPrefix("\(field)") == true, "\(error?.message ?? "")")
      }
    }
  }

  @Test("The same request_id, even concurrently, creates one order")
  func idempotency() async throws {
    try await withCluster { (cluster: ServiceCluster) async throws in
      let user = try await cluster.users.createUser(CreateUserRequest(name: "Twice", email: "twice@example.com"))
      let orders = cluster.orders
      let ids = try await withThrowingTaskGroup(of: String.self) { group in
        for _ in 0..<20 {
          group.addTask {
            try await orders.createOrder(CreateOrderRequest(userId: user.id, items: Self.items, requestId: "req-1")).id
          }
        }
        return try await group.reduce(into: Set<String>()) { $0.insert($1) }
      }
      #expect(ids.count == 1)
      // An empty key means none: two orders.
      _ = try await orders.createOrder(CreateOrderRequest(userId: user.id, items: Self.items))
      _ = try await orders.createOrder(CreateOrderRequest(userId: user.id, items: Self.items))
      #expect(try await orders.listOrders(ListOrdersRequest(userId: user.id)).orders.count == 3)
    }
  }

  @Test("A slow user service: CreateOrder ends at the caller's deadline, not later")
  func deadlineAcrossTheHop() async throws {
    try await withCluster { (cluster: ServiceCluster) async throws in
      let user = try await cluster.users.createUser(CreateUserRequest(name: "Slow", email: "slow@example.com"))
      // A stopped process still accepts connections but never answers: the slowest service.
      kill(cluster.user.pid, SIGSTOP)
      defer { kill(cluster.user.pid, SIGCONT) }
      let start = ContinuousClock.now
      let error = await rpcError {
        try await cluster.orders.createOrder(CreateOrderRequest(userId: user.id, items: Self.items), options: CallOptions(timeout: .milliseconds(400)))
      }
      let elapsed = ContinuousClock.now - start
      #expect(error?.code == .deadlineExceeded)
      #expect(elapsed < .milliseconds(1200), "took \(elapsed)")
    }
  }

  @Test("The circuit breaker: user service down → fast UNAVAILABLE; back up → recovery")
  func circuitBreaker() async throws {
    try await withCluster(orderArguments: ["--breaker-open", "1s"]) { (cluster: ServiceCluster) async throws in
      let user = try await cluster.users.createUser(CreateUserRequest(name: "Breaker", email: "breaker@example.com"))
      let userPort = cluster.user.port
      await cluster.user.stop(signal: SIGKILL)
      for _ in 0..<6 {
        let error = await rpcError {
          try await cluster.orders.createOrder(CreateOrderRequest(userId: user.id, items: Self.items), options: CallOptions(timeout: .seconds(5)))
        }
        #expect(error?.code == .unavailable, "\(error?.message ?? "")")
      }
      // Open: failures come back without touching the network.
      let start = ContinuousClock.now
      let error = await rpcError {
        try await cluster.orders.createOrder(CreateOrderRequest(userId: user.id, items: Self.items))
      }
      #expect(error?.code == .unavailable)
      #expect(error?.message.contains("circuit breaker") == true)
      #expect(ContinuousClock.now - start < .milliseconds(50))
      #expect(await cluster.order.stderrContains("circuit breaker opened"))

      cluster.user = try await ServiceCluster.startUser(folder: cluster.folder, port: userPort)
      try await Task.sleep(for: .milliseconds(1100))
      let order = try await cluster.orders.createOrder(CreateOrderRequest(userId: user.id, items: Self.items))
      #expect(order.userId == user.id)
      #expect(await cluster.order.stderrContains("circuit breaker half-open"))
      #expect(await cluster.order.stderrContains("circuit breaker closed"))
    }
  }

  @Test("Killing user-service mid-load: fast failures, recovery on restart, no duplicate orders")
  func killUserServiceUnderLoad() async throws {
    try await withCluster(orderArguments: ["--breaker-open", "500ms"]) { (cluster: ServiceCluster) async throws in
      let user = try await cluster.users.createUser(CreateUserRequest(name: "Load", email: "load@example.com"))
      let orders = cluster.orders
      let requestIDs = (0..<60).map { "load-\($0)" }
      let created = Tally()
      // Each client retries its own request id until it succeeds, as a careful client would.
      let load = Task {
        try await withThrowingTaskGroup(of: Void.self) { group in
          for (index, requestID) in requestIDs.enumerated() {
            group.addTask {
              // Staggered, so that the load spans the outage.
              try await Task.sleep(for: .milliseconds(10 * index))
              for _ in 0..<200 {
                do {
                  let order = try await orders.createOrder(
                    CreateOrderRequest(userId: user.id, items: Self.items, requestId: requestID),
                    options: CallOptions(timeout: .seconds(2))
                  )
                  created.record(requestID, order.id)
                  return
                } catch {
                  created.recordFailure()
                  try await Task.sleep(for: .milliseconds(50))
                }
              }
            }
          }
          try await group.waitForAll()
        }
      }
      try await Task.sleep(for: .milliseconds(150))
      let port = cluster.user.port
      await cluster.user.stop(signal: SIGKILL)
      try await Task.sleep(for: .milliseconds(700))
      cluster.user = try await ServiceCluster.startUser(folder: cluster.folder, port: port)
      try await load.value
      #expect(created.count == requestIDs.count)
      #expect(created.failures > 0, "the outage should have failed some calls")
      var all: [Order] = []
      var token = ""
      repeat {
        let page = try await orders.listOrders(ListOrdersRequest(userId: user.id, pageSize: 100, pageToken: token))
        all += page.orders
        token = page.nextPageToken
      } while !token.isEmpty
      #expect(all.count == requestIDs.count, "expected one order per request id, got \(all.count)")
      #expect(Set(all.map(\.requestId)) == Set(requestIDs))
    }
  }

  @Test("A crash of order-service loses no acknowledged order")
  func crashSafety() async throws {
    try await withCluster { (cluster: ServiceCluster) async throws in
      let user = try await cluster.users.createUser(CreateUserRequest(name: "Crash", email: "crash@example.com"))
      var acknowledged: [String] = []
      for index in 0..<20 {
        acknowledged.append(try await cluster.orders.createOrder(CreateOrderRequest(userId: user.id, items: Self.items, requestId: "c\(index)")).id)
      }
      try await cluster.restartOrder(signal: SIGKILL)
      for id in acknowledged {
        #expect(try await cluster.orders.getOrder(GetOrderRequest(id: id)).id == id)
      }
    }
  }

  @Test("One log line per call, and x-request-id travels to the user service")
  func requestIDPropagation() async throws {
    try await withCluster { (cluster: ServiceCluster) async throws in
      let user = try await cluster.users.createUser(CreateUserRequest(name: "Traced", email: "traced@example.com"))
      let id = "trace-\(UUID().uuidString)"
      _ = try await cluster.orders.createOrder(CreateOrderRequest(userId: user.id, items: Self.items), metadata: ["x-request-id": .string(id)])
      #expect(await cluster.order.stderrContains(id))
      #expect(await cluster.user.stderrContains(id))
      try await Task.sleep(for: .milliseconds(100))  // time for a second line, if there were one
      let orderLines = cluster.order.stderr.split(separator: "\n").filter { $0.contains(id) }
      let userLines = cluster.user.stderr.split(separator: "\n").filter { $0.contains(id) }
      #expect(orderLines.count == 1, "\(orderLines)")
      #expect(orderLines.first?.contains("method=/order.v1.OrderService/CreateOrder") == true)
      #expect(orderLines.first?.contains("status=OK") == true)
      #expect(orderLines.first?.contains("duration_ms=") == true)
      #expect(userLines.count == 1, "\(userLines)")
      #expect(userLines.first?.contains("method=/user.v1.UserService/GetUser") == true)
    }
  }
}

/// Request ids and the orders they created, shared by concurrent tasks.
final class Tally: Sendable {
  private let values = Mutex<[String: String]>([:])
  private let failureCount = Mutex(0)
  func record(_ key: String, _ value: String) { self.values.withLock { $0[key] = value } }
  func recordFailure() { self.failureCount.withLock { $0 += 1 } }
  var count: Int { self.values.withLock { $0.count } }
  var failures: Int { self.failureCount.withLock { $0 } }
}
