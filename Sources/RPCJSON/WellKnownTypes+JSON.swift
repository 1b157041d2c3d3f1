public import RPCProtobufC

extension Timestamp: ProtoJSONMessage {
  /// RFC 3339 in UTC with `Z`, with 0, 3, 6 or 9 fractional digits; offsets accepted on input.
  public init(protoJSON json: JSONValue, path: String) throws(ProtoJSONError) {
    guard case .string(let text) = json else {
      throw ProtoJSONError(path: path, reason: "expected an RFC 3339 timestamp string, got \(json.kind)")
    }
    guard let timestamp = Timestamp(rfc3339: text) else {
      throw ProtoJSONError(path: path, reason: "\"\(text)\" is not an RFC 3339 timestamp between 0001 and 9999")
    }
    self = timestamp
  }

  public func protoJSON() -> JSONValue { .string(self.rfc3339) }

  public static let protoJSONSchemaName = "google.protobuf.Timestamp"
  public static let protoJSONSchema: JSONValue = ["type": "string", "format": "date-time"]

  private static let minSeconds: Int64 = -62_135_596_800  // 0001-01-01T00:00:00Z
  private static let maxSeconds: Int64 = 253_402_300_799  // 9999-12-31T23:59:59Z

  /// The RFC 3339 text of the timestamp, in UTC.
  public var rfc3339: String {
    let days = Self.floorDivide(self.seconds, 86_400)
    let secondOfDay = self.seconds - days * 86_400
    let (year, month, day) = Self.civil(fromDays: days)
    var text = Self.pad(year, 4) + "-" + Self.pad(month, 2) + "-" + Self.pad(day, 2)
    text += "T" + Self.pad(secondOfDay / 3600, 2) + ":" + Self.pad(secondOfDay / 60 % 60, 2) + ":" + Self.pad(secondOfDay % 60, 2)
    text += Self.fraction(self.nanos)
    return text + "Z"
  }

  /// Parses RFC 3339: `2024-01-02T03:04:05.123456789Z` or with an offset such as `+02:00`.
  public init?(rfc3339 text: String) {
    let bytes = Array(text.utf8)
    func number(_ start: Int, _ count: Int) -> Int64? {
      guard start + count <= bytes.count else { return nil }
      var value: Int64 = 0
      for byte in bytes[start..<(start + count)] {
        guard byte >= 0x30 && byte <= 0x39 else { return nil }
        value = value * 10 + Int64(byte - 0x30)
      }
      return value
    }
    guard bytes.count >= 20,
      let year = number(0, 4), bytes[4] == UInt8(ascii: "-"),
      let month = number(5, 2), bytes[7] == UInt8(ascii: "-"),
      let day = number(8, 2), bytes[10] | 0x20 == UInt8(ascii: "t"),
      let hour = number(11, 2), bytes[13] == UInt8(ascii: ":"),
      let minute = number(14, 2), bytes[16] == UInt8(ascii: ":"),
      let second = number(17, 2),
      (1...12).contains(month), day >= 1, day <= Self.daysIn(month: month, year: year),
      hour < 24, minute < 60, second < 60
    else { return nil }
    var index = 19
    var nanos: Int64 = 0
    if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
      index += 1
      var digits = 0
      while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
        guard digits < 9 else { return nil }
        nanos = nanos * 10 + Int64(bytes[index] - 0x30)
        digits += 1
        index += 1
      }
      guard digits > 0 else { return nil }
      for _ in digits..<9 { nanos *= 10 }
    }
    guard index < bytes.count else { return nil }
    var offset: Int64 = 0
    if bytes[index] | 0x20 == UInt8(ascii: "z") {
      index += 1
    } else if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
      let sign: Int64 = bytes[index] == UInt8(ascii: "+") ? 1 : -1
      guard let offsetHours = number(index + 1, 2), index + 3 < bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
        let offsetMinutes = number(index + 4, 2), offsetHours < 24, offsetMinutes < 60
      else { return nil }
      offset = sign * (offsetHours * 3600 + offsetMinutes * 60)
      index += 6
    } else {
      return nil
    }
    guard index == bytes.count else { return nil }
    let seconds = Self.days(fromCivil: year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset
    guard seconds >= Self.minSeconds, seconds <= Self.maxSeconds else { return nil }
    self.init(seconds: seconds, nanos: Int32(nanos))
  }

  static func fraction(_ nanos: Int32) -> String {
    guard nanos > 0 else { return "" }
    if nanos % 1_000_000 == 0 { return "." + Self.pad(Int64(nanos / 1_000_000), 3) }
    if nanos % 1_000 == 0 { return "." + Self.pad(Int64(nanos / 1_000), 6) }
    return "." + Self.pad(Int64(nanos), 9)
  }

  private static func pad(_ value: Int64, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
  }

  private static func floorDivide(_ lhs: Int64, _ rhs: Int64) -> Int64 {
    lhs >= 0 ? lhs / rhs : (lhs - rhs + 1) / rhs
  }

  private static func daysIn(month: Int64, year: Int64) -> Int64 {
    switch month {
    case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
  }

  /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
  private static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
    let y = month <= 2 ? year - 1 : year
    let era = Self.floorDivide(y, 400)
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
    let z = days + 719_468
    let era = Self.floorDivide(z, 146_097)
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }
}

extension ProtobufEmpty: ProtoJSONMessage {
  public init(protoJSON json: JSONValue, path: String) throws(ProtoJSONError) {
    var reader = try ProtoJSON.ObjectReader(json, path: path, typeName: "google.protobuf.Empty")
    if let (key, _) = reader.next() { throw reader.unknown(key) }
    self.init()
  }

  public func protoJSON() -> JSONValue { .object(JSONObject()) }

  public static let protoJSONSchemaName = "google.protobuf.Empty"
  public static let protoJSONSchema: JSONValue = ["type": "object", "additionalProperties": false]
}

extension ProtoJSON {
  /// `google.protobuf.Duration`: seconds with up to 9 fractional digits and an `s`: `"1.5s"`.
  public static func duration(_ json: JSONValue, path: String) throws(ProtoJSONError) -> Duration {
    guard case .string(let text) = json, text.hasSuffix("s") else {
      throw ProtoJSONError(path: path, reason: "expected a duration string such as \"1.5s\", got \(json.kind)")
    }
    var body = Substring(text.dropLast())
    let negative = body.hasPrefix("-")
    if negative { body = body.dropFirst() }
    let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
    guard let seconds = Int64(parts[0]), seconds <= 315_576_000_000, parts[0].allSatisfy(\.isNumber) else {
      throw ProtoJSONError(path: path, reason: "\"\(text)\" is not a duration")
    }
    var nanos: Int64 = 0
    if parts.count == 2 {
      let fraction = parts[1]
      guard !fraction.isEmpty, fraction.count <= 9, fraction.allSatisfy(\.isNumber), let value = Int64(fraction) else {
        throw ProtoJSONError(path: path, reason: "\"\(text)\" is not a duration")
      }
      nanos = value * Int64(pow10(9 - fraction.count))
    }
    let duration = Duration.seconds(seconds) + .nanoseconds(nanos)
    return negative ? .zero - duration : duration
  }

  private static func pow10(_ exponent: Int) -> Int {
    (0..<exponent).reduce(1) { value, _ in value * 10 }
  }

  public static func json(duration: Duration) -> JSONValue {
    let (seconds, attoseconds) = duration.components
    var totalNanos = Int64(seconds) * 1_000_000_000 + attoseconds / 1_000_000_000
    let negative = totalNanos < 0
    totalNanos = abs(totalNanos)
    let text = String(totalNanos / 1_000_000_000) + Timestamp.fraction(Int32(totalNanos % 1_000_000_000)) + "s"
    return .string(negative ? "-" + text : text)
  }
}
