public import RPCCore

/// The opaque `page_token` of list methods: a version, the scope it belongs to, and the position
/// (the store's monotonically increasing sequence number) after which the next page starts.
///
/// Keyset paging: a page is "rows after position P, in order", so rows created or deleted between
/// pages shift nothing: none is skipped, none repeats.
public struct PageToken: Sendable, Equatable {
  /// The sequence number of the last row of the previous page.
  public let after: Int64
  /// What the token is for (a list scope such as a user id), so it cannot be replayed elsewhere.
  public let scope: String

  public init(after: Int64, scope: String) {
    self.after = after
    self.scope = scope
  }

  /// The token text: URL-safe base64 of `v1|scope|after`.
  public var encoded: String {
    Base64.encode(Array("v1|\(self.scope)|\(self.after)".utf8), urlSafe: true)
  }

  /// Parses a token for `scope`; an empty token is the first page.
  /// - Throws: `INVALID_ARGUMENT` naming `page_token` if it is not one this service issued for
  ///   this scope.
  public static func parse(_ text: String, scope: String) throws(RPCError) -> PageToken? {
    if text.isEmpty { return nil }
    guard
      text.utf8.count <= 512,
      let bytes = Base64.decode(text),
      let decoded = String(validating: bytes, as: UTF8.self)
    else {
      throw RPCError(code: .invalidArgument, message: "page_token: malformed")
    }
    let parts = decoded.split(separator: "|", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0] == "v1", let after = Int64(parts[2]), after >= 0 else {
      throw RPCError(code: .invalidArgument, message: "page_token: malformed")
    }
    guard parts[1] == scope else {
      throw RPCError(code: .invalidArgument, message: "page_token: issued for a different listing")
    }
    return PageToken(after: after, scope: scope)
  }

  /// The page size to use: 0 means `defaultSize`; above `maximum` is an error.
  public static func pageSize(_ requested: Int32, default defaultSize: Int = 20, maximum: Int = 100) throws(RPCError) -> Int {
    if requested < 0 { throw RPCError(code: .invalidArgument, message: "page_size: must not be negative") }
    if requested == 0 { return defaultSize }
    if requested > maximum { throw RPCError(code: .invalidArgument, message: "page_size: must be at most \(maximum)") }
    return Int(requested)
  }
}
