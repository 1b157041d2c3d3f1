public import Fixtures
public import OrderV1
import RPCCore
import RPCProtobufC

/// The canonical messages of Tests/Python/codec_vectors.py, built the same way in Swift.
public enum CodecVectors {
  public static let scalarsExtremes = Scalars(
    fDouble: 1.5,
    fFloat: -2.25,
    fInt64: .min,
    fUint64: .max,
    fInt32: .min,
    fFixed64: .max - 1,
    fFixed32: .max,
    fBool: true,
    fString: "h\u{e9}llo \u{263a} \u{1f608}",
    fBytes: [0x00, 0x01, 0xFF],
    fUint32: .max,
    fEnum: .infrared,
    fSfixed32: -5,
    fSfixed64: -6,
    fSint32: -7,
    fSint64: -8
  )

  public static let repeatedValues = Repeated(
    rDouble: [0.5, -1.0],
    rFloat: [0.25],
    rInt64: [-1, 1 << 62],
    rUint64: [0, .max],
    rInt32: [-1, 0, 1],
    rFixed64: [7],
    rFixed32: [8, 9],
    rBool: [true, false, true],
    rString: ["a", "", "\u{fc}"],
    rBytes: [[], [0]],
    rUint32: [300],
    rEnum: [.red, .infrared, .unrecognized(42)],
    rSfixed32: [-1],
    rSfixed64: [-2],
    rSint32: [-3, 3],
    rSint64: [-4],
    rMessage: [Scalars(fString: "first"), Scalars(fInt32: 2)]
  )

  public static let everything = Everything(
    scalars: Scalars(fInt32: 1),
    repeated: Repeated(rInt32: [2]),
    nested: Everything.Nested(
      label: "inner",
      level: .deep,
      childListHolder: Everything.Nested(label: "grandchild")
    ),
    counts: ["one": 1],
    byId: [-5: Scalars(fString: "minus five")],
    flags: [true: "yes"],
    colors: [3: .green],
    choice: .choiceMessage(Scalars(fBool: true)),
    created: Timestamp(seconds: 1_700_000_000, nanos: 123_456_789),
    ttl: .seconds(-1) - .milliseconds(500),
    nickname: "",
    big: 0,
    maybe: false,
    blob: [0x01],
    ratio: 0.125,
    small: 7,
    nothing: ProtobufEmpty(),
    fraction: 0.5,
    medium: -9,
    huge: 1 << 63
  )

  public static let orderWithItems: Order = {
    let items = (0..<10).map { index in
      let digits = String(index)
      let sku: String = "SKU-" + String(repeating: "0", count: 4 - digits.count) + digits
      return LineItem(sku: sku, quantity: Int32(index + 1), unitPriceCents: Int64(1999 + index))
    }
    return Order(
      id: "0f8e3c1a-6f4b-4c7e-9a57-1d2b3c4d5e6f",
      userId: "u-42",
      items: items,
      status: .created,
      totalCents: items.reduce(Int64(0)) { total, item in total + Int64(item.quantity) * item.unitPriceCents },
      createTime: Timestamp(seconds: 1_700_000_000, nanos: 5),
      requestId: "req-1"
    )
  }()

  /// Encodes each canonical message, by its Python name.
  public static func encodeAll() throws -> [String: [UInt8]] {
    [
      "scalars_extremes": try Self.scalarsExtremes.serializedBytes(),
      "repeated_values": try Self.repeatedValues.serializedBytes(),
      "everything": try Self.everything.serializedBytes(),
      "order_with_items": try Self.orderWithItems.serializedBytes(),
      "empty_everything": try Everything().serializedBytes(),
    ]
  }

  /// Decodes `bytes` as the canonical message `name` and tells whether it equals it.
  public static func decodesToCanonical(_ name: String, _ bytes: [UInt8]) throws -> Bool {
    switch name {
    case "scalars_extremes": try Scalars(serializedBytes: bytes) == Self.scalarsExtremes
    case "repeated_values": try Repeated(serializedBytes: bytes) == Self.repeatedValues
    case "everything": try Everything(serializedBytes: bytes) == Self.everything
    case "order_with_items": try Order(serializedBytes: bytes) == Self.orderWithItems
    case "empty_everything": try Everything(serializedBytes: bytes) == Everything()
    default: false
    }
  }
}

extension Array where Element == UInt8 {
  public var hex: String {
    self.map { byte -> String in
      let digits = String(byte, radix: 16)
      return digits.count == 1 ? "0" + digits : digits
    }.joined()
  }

  public init?(hex: String) {
    var bytes: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
      let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) ?? hex.endIndex
      guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
      bytes.append(byte)
      index = next
    }
    self = bytes
  }
}
