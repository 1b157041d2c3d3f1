/// The `grpc-timeout` header value: at most 8 ASCII digits followed by a unit
/// (`H`, `M`, `S`, `m`, `u`, `n`), as grpc/grpc `doc/PROTOCOL-HTTP2.md` defines it.
public struct GRPCTimeout: Sendable, Hashable, CustomStringConvertible {
  /// The timeout as a duration.
  public let duration: Duration
  /// The header value.
  public let headerValue: String

  /// Parses a header value, or returns `nil` if it does not follow the grammar.
  /// - Parameter headerValue: The value of a `grpc-timeout` header.
  public init?(headerValue: some StringProtocol) {
    let utf8 = Array(headerValue.utf8)
    guard utf8.count >= 2, utf8.count <= 9 else { return nil }
    var amount: Int64 = 0
    for digit in utf8.dropLast() {
      guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
      amount = amount * 10 + Int64(digit - UInt8(ascii: "0"))
    }
    switch utf8.last! {
    case UInt8(ascii: "H"): self.duration = .seconds(amount * 3600)
    case UInt8(ascii: "M"): self.duration = .seconds(amount * 60)
    case UInt8(ascii: "S"): self.duration = .seconds(amount)
    case UInt8(ascii: "m"): self.duration = .milliseconds(amount)
    case UInt8(ascii: "u"): self.duration = .microseconds(amount)
    case UInt8(ascii: "n"): self.duration = .nanoseconds(amount)
    default: return nil
    }
    self.headerValue = String(headerValue)
  }

  /// Encodes a duration in the finest unit whose value fits in 8 digits, rounding up so that the
  /// peer never sees a shorter timeout than the caller asked for. Negative durations become zero.
  /// - Parameter duration: The time left.
  public init(duration: Duration) {
    let components = duration.components
    let nanoseconds: Int64
    if components.seconds < 0 {
      nanoseconds = 0
    } else if components.seconds >= 99_999_999 * 3600 {
      nanoseconds = .max
    } else {
      nanoseconds =
        components.seconds * 1_000_000_000
        + (components.attoseconds + 999_999_999) / 1_000_000_000
    }
    let units: [(divisor: Int64, unit: String)] = [
      (1, "n"), (1_000, "u"), (1_000_000, "m"), (1_000_000_000, "S"),
      (60_000_000_000, "M"), (3_600_000_000_000, "H"),
    ]
    for (divisor, unit) in units {
      let amount = (nanoseconds + divisor - 1) / divisor
      if amount <= 99_999_999 || unit == "H" {
        let clamped = min(amount, 99_999_999)
        self.headerValue = "\(clamped)\(unit)"
        self.duration = .nanoseconds(clamped) * Int(divisor)
        return
      }
    }
    fatalError("unreachable: the hour unit always fits")
  }

  public var description: String { self.headerValue }
}
