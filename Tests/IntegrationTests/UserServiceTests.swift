import Foundation
import HealthV1
import RPCCore
import TestSupport
import Testing
import UserV1

@Suite("user-service", .serialized)
struct UserServiceTests {
  @Test("Create, get, list and delete users")
  func api() async throws {
    try await withCluster { (cluster: ServiceCluster) async throws in
      let users = cluster.users
      let ada = try await users.createUser(CreateUserRequest(name: "Ada Lovelace", email: "ada@example.com"))
      #expect(!ada.id.isEmpty)
      #expect(ada.name == "Ada Lovelace")
      #expect(ada.createTime != nil)
      #expect(try await users.getUser(GetUserRequest(id: ada.id)) == ada)
      let grace = try await users.createUser(CreateUserRequest(name: "Grace Hopper", email: "grace@example.com"))
      let listed = try await users.listUsers(ListUsersRequest())
      #expect(listed.users.map(\.id) == [ada.id, grace.id])
      #expect(listed.nextPageToken.isEmpty)
      _ = try await users.deleteUser(DeleteUserRequest(id: ada.id))
      #expect(await rpcError { try await users.getUser(GetUserRequest(id: ada.id)) }?.code == .notFound)
      #expect(await rpcError { try await users.deleteUser(DeleteUserRequest(id: ada.id)) }?.code == .notFound)
    }
  }

  @Test("Each field is validated, and the message names it")
  func validation() async throws {
    try await withCluster { (cluster: ServiceCluster) async throws in
      let users = cluster.users
      let cases: [(CreateUserRequest, String)] = [
        (CreateUserRequest(name: "", email: "a@b.co"), "name"),
        (CreateUserRequest(name: "   ", email: "a@b.co"), "name"),
        (CreateUserRequest(name: String(repeating: "\u{e9}", count: 201), email: "a@b.co"), "name"),
        (CreateUserRequest(name: "A", email: ""), "email"),
        (CreateUserRequest(name: "A", email: "no-at-sign"), "email"),
        (CreateUserRequest(name: "A", email: "two@@example.com"), "email"),
        (CreateUserRequest(name: "A", email: "spaces in@example.com"), "email"),
        (CreateUserRequest(name: "A", email: "nodot@localhost"), "email"),
      ]
      for (request, field) in cases {
        let error = await rpcError { try await users.createUser(request) }
        #expect(error?.code == .invalidArgument, "\(request)")
        #expect(error?.message.hasPrefix("\(field):") == true, "\(error?.message ?? "")")
      }
      // 200 characters of two bytes each: characters are counted, not bytes.
      let long = try await users.createUser(CreateUserRequest(name: String(repeating: "\u{e9}", count: 200), email: "long@example.com"))
      #expect(long.name.unicodeScalars.count == 200)
      #expect(await rpcError { try await users.getUser(GetUserRequest(id: "")) }?.message.hasPrefix("id:") == true)
    }
  }

  @Test("A duplicate email, in any case, is ALREADY_EXISTS")
  func duplicateEmail() async throws {
    try await withCluster { (cluster: ServiceCluster) async throws in
      _ = try await cluster.users.createUser(CreateUserRequest(name: "A", email: "same@example.com"))
      let error = await rpcError { try await cluster.users.createUser(CreateUserRequest(name: "B", email: "SAME@example.com")) }
      #expect(error?.code == .alreadyExists)
      #expect(error?.message.hasPrefix("email:") == true)
    }
  }

  @Test("Keyset paging: no duplicates and no skipped rows while others are created and deleted")
  func paging() async throws {
    try await withCluster { (cluster: ServiceCluster) async throws in
      let users = cluster.users
      var kept: [String] = []
      var doomed: [String] = []
      for index in 0..<30 {
        let user = try await users.createUser(CreateUserRequest(name: "U\(index)", email: "u\(index)@example.com"))
        if index % 3 == 0 { doomed.append(user.id) } else { kept.append(user.id) }
      }
      var seen: [String] = []
      var token = ""
      var round = 0
      repeat {
        let page = try await users.listUsers(ListUsersRequest(pageSize: 7, pageToken: token))
        #expect(page.users.count <= 7)
        seen += page.users.map(\.id)
        token = page.nextPageToken
        // Between pages, others write: delete some, create more.
        if let victim = doomed.popLast() { _ = try await users.deleteUser(DeleteUserRequest(id: victim)) }
        let added = try await users.createUser(CreateUserRequest(name: "late\(round)", email: "late\(round)@example.com"))
        kept.append(added.id)
        round += 1
      } while !token.isEmpty && round < 50
      #expect(Set(seen).count == seen.count, "a row was listed twice")
      for id in kept where !seen.contains(id) {
        // Only rows created after the last page was read may be missing.
        #expect(id == kept.last, "row \(id) was skipped")
      }
    }
  }

  @Test("Page sizes and tokens are validated")
  func pagingValidation() async throws {
    try await withCluster { (cluster: ServiceCluster) async throws in
      let users = cluster.users
      for index in 0..<25 {
        _ = try await users.createUser(CreateUserRequest(name: "U\(index)", email: "p\(index)@example.com"))
      }
      #expect(try await users.listUsers(ListUsersRequest()).users.count == 20)
      #expect(try await users.listUsers(ListUsersRequest(pageSize: 100)).users.count == 25)
      #expect(await rpcError { try await users.listUsers(ListUsersRequest(pageSize: 101)) }?.message.hasPrefix("page_size:") == true)
      #expect(await rpcError { try await users.listUsers(ListUsersRequest(pageSize: -1)) }?.code == .invalidArgument)
      for token in ["garbage", "djF8dXNlcnN8LTE", Base64.encode(Array("v1|orders:x|5".utf8), urlSafe: true), "%%%"] {
        let error = await rpcError { try await users.listUsers(ListUsersRequest(pageToken: token)) }
        #expect(error?.code == .invalidArgument, "token \(token)")
        #expect(error?.message.hasPrefix("page_token:") == true)
      }
    }
  }

  @Test("Data survives a restart, and a crash loses no committed write")
  func persistence() async throws {
    try await withCluster { (cluster: ServiceCluster) async throws in
      let created = try await cluster.users.createUser(CreateUserRequest(name: "Persistent", email: "p@example.com"))
      try await cluster.restartUser(signal: SIGTERM)
      #expect(try await cluster.users.getUser(GetUserRequest(id: created.id)) == created)
      var acknowledged: [String] = []
      for index in 0..<20 {
        acknowledged.append(try await cluster.users.createUser(CreateUserRequest(name: "C\(index)", email: "c\(index)@example.com")).id)
      }
      try await cluster.restartUser(signal: SIGKILL)
      for id in acknowledged {
        #expect(try await cluster.users.getUser(GetUserRequest(id: id)).id == id)
      }
    }
  }

  @Test("Without the service token every call is UNAUTHENTICATED; health checks are exempt")
  func serviceToken() async throws {
    try await withCluster { (cluster: ServiceCluster) async throws in
      let anonymous = UserService.Client(wrapping: cluster.rpc(port: cluster.user.port, token: nil))
      #expect(await rpcError { try await anonymous.listUsers(ListUsersRequest()) }?.code == .unauthenticated)
      let wrong = UserService.Client(wrapping: cluster.rpc(port: cluster.user.port, token: "wrong"))
      #expect(await rpcError { try await wrong.listUsers(ListUsersRequest()) }?.code == .unauthenticated)
      let health = Health.Client(wrapping: cluster.rpc(port: cluster.user.port, token: nil))
      #expect(try await health.check(HealthCheckRequest(service: "")).status == .serving)
      #expect(try await health.check(HealthCheckRequest(service: "user.v1.UserService")).status == .serving)
      let orderHealth = Health.Client(wrapping: cluster.rpc(port: cluster.order.port, token: nil))
      #expect(try await orderHealth.check(HealthCheckRequest(service: "order.v1.OrderService")).status == .serving)
      #expect(await rpcError { try await health.check(HealthCheckRequest(service: "nope")) }?.code == .notFound)
    }
  }

  @Test("SIGTERM: exits 0")
  func exitsCleanly() async throws {
    let cluster = try await ServiceCluster()
    _ = try await cluster.users.listUsers(ListUsersRequest())
    let statuses = await cluster.stop()
    #expect(statuses.user == 0)
    #expect(statuses.order == 0)
  }
}
