public import RPCCore
public import RPCProtobufC
public import UserV1
internal import ServiceKit

/// `user.v1.UserService` over the SQLite store.
public struct UserServiceHandler: UserService.SimpleServiceProtocol {
  private let store: UserStore

  public init(store: UserStore) {
    self.store = store
  }

  public func createUser(_ request: CreateUserRequest, context: ServerContext) async throws -> User {
    let name = try UserValidation.name(request.name)
    let email = try UserValidation.email(request.email)
    do {
      return try await self.store.create(name: name, email: email)
    } catch UserStore.Failure.emailTaken {
      throw RPCError(code: .alreadyExists, message: "email: a user with email \(email) already exists")
    }
  }

  public func getUser(_ request: GetUserRequest, context: ServerContext) async throws -> User {
    let id = try UserValidation.id(request.id)
    guard let user = try await self.store.get(id: id) else {
      throw RPCError(code: .notFound, message: "user \(id) not found")
    }
    return user
  }

  public func listUsers(_ request: ListUsersRequest, context: ServerContext) async throws -> ListUsersResponse {
    let size = try PageToken.pageSize(request.pageSize)
    let token = try PageToken.parse(request.pageToken, scope: "users")
    // One extra row tells whether there is a next page.
    let rows = try await self.store.list(after: token?.after ?? 0, limit: size + 1)
    let page = rows.prefix(size)
    let next = rows.count > size ? PageToken(after: page.last!.seq, scope: "users").encoded : ""
    return ListUsersResponse(users: page.map(\.user), nextPageToken: next)
  }

  public func deleteUser(_ request: DeleteUserRequest, context: ServerContext) async throws -> ProtobufEmpty {
    let id = try UserValidation.id(request.id)
    guard try await self.store.delete(id: id) else {
      throw RPCError(code: .notFound, message: "user \(id) not found")
    }
    return ProtobufEmpty()
  }
}

/// Field rules of the user contract; each failure names its field.
public enum UserValidation {
  /// At most 200 Unicode code points, as Go and Python count characters.
  public static let maxNameLength = 200

  public static func name(_ raw: String) throws(RPCError) -> String {
    let name = raw.trimmingWhitespace()
    guard !name.isEmpty else { throw RPCError(code: .invalidArgument, message: "name: is required") }
    guard name.unicodeScalars.count <= Self.maxNameLength else {
      throw RPCError(code: .invalidArgument, message: "name: must be at most \(Self.maxNameLength) characters, got \(name.unicodeScalars.count)")
    }
    guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
      throw RPCError(code: .invalidArgument, message: "name: must not contain control characters")
    }
    return name
  }

  /// `local@domain.tld`: one `@`, no spaces, a dot in the domain, at most 254 bytes.
  public static func email(_ raw: String) throws(RPCError) -> String {
    let email = raw.trimmingWhitespace()
    guard !email.isEmpty else { throw RPCError(code: .invalidArgument, message: "email: is required") }
    let parts = email.split(separator: "@", omittingEmptySubsequences: false)
    let valid =
      email.utf8.count <= 254
      && parts.count == 2
      && !parts[0].isEmpty && parts[0].utf8.count <= 64
      && parts[1].contains(".")
      && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".") && !parts[1].contains("..")
      && !email.unicodeScalars.contains { $0.properties.isWhitespace || $0.properties.generalCategory == .control }
    guard valid else {
      throw RPCError(code: .invalidArgument, message: "email: '\(email)' does not look like an email address")
    }
    return email
  }

  public static func id(_ raw: String) throws(RPCError) -> String {
    guard !raw.isEmpty else { throw RPCError(code: .invalidArgument, message: "id: is required") }
    guard raw.utf8.count <= 64 else { throw RPCError(code: .invalidArgument, message: "id: must be at most 64 bytes") }
    return raw
  }
}

extension String {
  func trimmingWhitespace() -> String {
    var scalars = Substring(self).unicodeScalars[...]
    while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
    while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
    return String(String.UnicodeScalarView(scalars))
  }
}
