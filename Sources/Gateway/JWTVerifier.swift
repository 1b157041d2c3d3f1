internal import Crypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
internal import RPCCore
internal import Synchronization
public import RPCJSON

/// Verifies `Authorization: Bearer` JSON Web Tokens signed with HS256 (RFC 7519, RFC 7518 3.2).
///
/// Only HS256 with the configured secret is accepted: `alg: none` and every other algorithm are
/// refused, whatever the token claims. `exp` is required and checked; `nbf` is checked if present.
public struct JWTVerifier: Sendable {
  /// What a valid token says.
  public struct Claims: Sendable, Equatable {
    public let subject: String?
    public let expiresAt: Int64
  }

  public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
  }

  private let key: SymmetricKey
  /// Clock skew tolerated on `exp` and `nbf`.
  private let leeway: Int64
  /// Tokens already verified, so that a client's next request skips the HMAC and the parsing;
  /// keyed by the exact token text, whose signature was checked, with `exp` checked on each use.
  /// A token whose `nbf` is still ahead fails verification and so is never cached.
  private let verified: VerifiedTokens

  public init(secret: String, leeway: Int64 = 0, cacheSize: Int = 10_000) {
    self.key = SymmetricKey(data: Array(secret.utf8))
    self.leeway = leeway
    self.verified = VerifiedTokens(capacity: cacheSize)
  }

  /// Verifies a compact JWS; `now` is seconds since the epoch.
  public func verify(_ token: String, now: Int64? = nil) throws(Failure) -> Claims {
    let now = now ?? Int64(time(nil))
    if let claims = self.verified.claims(for: token) {
      guard now < claims.expiresAt + self.leeway else { throw Failure("the token has expired") }
      return claims
    }
    let claims = try self.verifyUncached(token, now: now)
    self.verified.insert(claims, for: token)
    return claims
  }

  private func verifyUncached(_ token: String, now: Int64) throws(Failure) -> Claims {
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3 else { throw Failure("the token is not a signed JWT (header.payload.signature)") }
    guard let headerBytes = Base64.decode(parts[0]), case .object(let header)? = try? JSONParser.parse(headerBytes) else {
      throw Failure("the token header is not base64url JSON")
    }
    guard header["alg"] == .string("HS256") else {
      throw Failure("the token algorithm must be HS256")
    }
    guard let signature = Base64.decode(parts[2]), !parts[2].contains("=") else {
      throw Failure("the token signature is not base64url")
    }
    let signingInput = Array((parts[0] + "." + parts[1]).utf8)
    guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: self.key) else {
      throw Failure("the token signature is invalid")
    }
    guard let payloadBytes = Base64.decode(parts[1]), case .object(let payload)? = try? JSONParser.parse(payloadBytes) else {
      throw Failure("the token payload is not base64url JSON")
    }
    guard case .number(let expText)? = payload["exp"], let exp = Double(expText).map(Int64.init) else {
      throw Failure("the token has no exp claim")
    }
    guard now < exp + self.leeway else { throw Failure("the token has expired") }
    if case .number(let nbfText)? = payload["nbf"], let nbf = Double(nbfText).map(Int64.init), now + self.leeway < nbf {
      throw Failure("the token is not valid yet")
    }
    var subject: String?
    if case .string(let sub)? = payload["sub"] { subject = sub }
    return Claims(subject: subject, expiresAt: exp)
  }

  /// Signs a token, for `edge mint-token` and tests.
  public static func sign(claims: JSONValue, secret: String, header: JSONValue = ["alg": "HS256", "typ": "JWT"]) -> String {
    let head = Base64.encode(header.serialized(), urlSafe: true)
    let body = Base64.encode(claims.serialized(), urlSafe: true)
    let signature = HMAC<SHA256>.authenticationCode(for: Array((head + "." + body).utf8), using: SymmetricKey(data: Array(secret.utf8)))
    return head + "." + body + "." + Base64.encode(Array(signature), urlSafe: true)
  }
}

/// A bounded map of verified tokens to their claims.
private final class VerifiedTokens: Sendable {
  private let entries = Mutex<[String: JWTVerifier.Claims]>([:])
  private let capacity: Int

  init(capacity: Int) {
    self.capacity = capacity
  }

  func claims(for token: String) -> JWTVerifier.Claims? {
    self.entries.withLock { $0[token] }
  }

  func insert(_ claims: JWTVerifier.Claims, for token: String) {
    self.entries.withLock { entries in
      // Crude but bounded: a full cache starts over rather than growing.
      if entries.count >= self.capacity { entries.removeAll(keepingCapacity: true) }
      entries[token] = claims
    }
  }
}
