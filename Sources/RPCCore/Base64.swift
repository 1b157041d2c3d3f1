/// Base64 as gRPC uses it for `-bin` metadata and proto3 JSON uses it for `bytes`.
///
/// Encoding writes the standard alphabet with padding; decoding accepts the standard and the
/// URL-safe alphabet, with or without padding, as both specifications require of receivers.
public enum Base64 {
  private static let alphabet = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

  private static let urlAlphabet = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

  private static let decodeTable: [UInt8] = {
    var table = [UInt8](repeating: 0xFF, count: 256)
    for (index, byte) in Base64.alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
    table[Int(UInt8(ascii: "-"))] = 62
    table[Int(UInt8(ascii: "_"))] = 63
    return table
  }()

  /// Encodes bytes.
  /// - Parameters:
  ///   - bytes: The bytes to encode.
  ///   - urlSafe: Whether to use the URL-safe alphabet without padding.
  public static func encode(_ bytes: some Collection<UInt8>, urlSafe: Bool = false) -> String {
    let table = urlSafe ? Self.urlAlphabet : Self.alphabet
    var output: [UInt8] = []
    output.reserveCapacity((bytes.count + 2) / 3 * 4)
    var iterator = bytes.makeIterator()
    while let first = iterator.next() {
      let second = iterator.next()
      let third = iterator.next()
      let value = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
      output.append(table[Int(value >> 18 & 0x3F)])
      output.append(table[Int(value >> 12 & 0x3F)])
      if second != nil {
        output.append(table[Int(value >> 6 & 0x3F)])
      } else if !urlSafe {
        output.append(UInt8(ascii: "="))
      }
      if third != nil {
        output.append(table[Int(value & 0x3F)])
      } else if !urlSafe {
        output.append(UInt8(ascii: "="))
      }
    }
    return String(decoding: output, as: UTF8.self)
  }

  /// Decodes base64 text, or returns `nil` if it is not valid base64.
  /// - Parameter text: Standard or URL-safe base64, padded or not.
  public static func decode(_ text: some StringProtocol) -> [UInt8]? {
    var utf8 = Array(text.utf8)
    while utf8.last == UInt8(ascii: "=") { utf8.removeLast() }
    if utf8.count % 4 == 1 { return nil }
    var output: [UInt8] = []
    output.reserveCapacity(utf8.count * 3 / 4)
    var accumulator: UInt32 = 0
    var bits = 0
    for byte in utf8 {
      let value = Self.decodeTable[Int(byte)]
      if value == 0xFF { return nil }
      accumulator = accumulator << 6 | UInt32(value)
      bits += 6
      if bits >= 8 {
        bits -= 8
        output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
      }
    }
    return output
  }
}
