import Fixtures
import OrderV1
import RPCCore
import RPCProtobufC
import TestSupport
import Testing

@Suite("Round trips through the protoc-c codec")
struct RoundTripTests {
  @Test("Every field kind survives encode and decode", arguments: [
    "scalars", "repeated", "everything", "empty",
  ])
  func everyKind(_ name: String) throws {
    switch name {
    case "scalars":
      let decoded = try Scalars(serializedBytes: try CodecVectors.scalarsExtremes.serializedBytes())
      #expect(decoded == CodecVectors.scalarsExtremes)
    case "repeated":
      let decoded = try Repeated(serializedBytes: try CodecVectors.repeatedValues.serializedBytes())
      #expect(decoded == CodecVectors.repeatedValues)
    case "everything":
      let decoded = try Everything(serializedBytes: try CodecVectors.everything.serializedBytes())
      #expect(decoded == CodecVectors.everything)
    default:
      let bytes = try Everything().serializedBytes()
      #expect(bytes.isEmpty)
      #expect(try Everything(serializedBytes: bytes) == Everything())
    }
  }

  @Test("Each oneof case round-trips, and the last one set wins")
  func oneofCases() throws {
    let cases: [Everything.Choice] = [
      .choiceText("text"), .choiceText(""), .choiceNumber(-1), .choiceMessage(Scalars()),
      .choiceColor(.red), .choiceColor(.unspecified), .choiceBytes([]), .choiceBytes([1, 2]),
    ]
    for choice in cases {
      let message = Everything(choice: choice)
      let bytes = try message.serializedBytes()
      #expect(try Everything(serializedBytes: bytes).choice == choice, "\(choice) encoded as \(bytes)")
    }
  }

  @Test("Presence: wrappers set to their zero value are kept, unset ones stay nil")
  func wrapperPresence() throws {
    let set = Everything(nickname: "", big: 0, maybe: false, blob: [])
    let decoded = try Everything(serializedBytes: try set.serializedBytes())
    #expect(decoded.nickname == "")
    #expect(decoded.big == 0)
    #expect(decoded.maybe == false)
    #expect(decoded.blob == [])
    #expect(decoded.ratio == nil)
    #expect(try Everything(serializedBytes: try Everything().serializedBytes()).nickname == nil)
  }

  @Test("Unknown enum values survive a round trip")
  func unrecognizedEnum() throws {
    let message = Scalars(fEnum: .unrecognized(42))
    #expect(try Scalars(serializedBytes: try message.serializedBytes()).fEnum == .unrecognized(42))
    #expect(Color(rawValue: -1) == .infrared)
  }

  @Test("Maps with several entries encode deterministically")
  func deterministicMaps() throws {
    var message = Everything()
    for index in 0..<50 { message.counts["key\(index)"] = Int32(index) }
    message.flags = [true: "t", false: "f"]
    let first = try message.serializedBytes()
    let second = try message.serializedBytes()
    #expect(first == second)
    #expect(try Everything(serializedBytes: first) == message)
  }

  @Test("Recursive messages through a boxed field")
  func recursion() throws {
    var nested = Everything.Nested(label: "root")
    nested.childListHolder = Everything.Nested(label: "child", childListHolder: .init(label: "leaf"))
    let decoded = try Everything.Nested(serializedBytes: try nested.serializedBytes())
    #expect(decoded.childListHolder?.childListHolder?.label == "leaf")
    #expect(decoded == nested)
  }

  @Test("Large messages: a 4 MiB bytes field and 10,000 repeated messages")
  func largeMessages() throws {
    let payload = (0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0) }
    let big = Scalars(fBytes: payload)
    #expect(try Scalars(serializedBytes: try big.serializedBytes()).fBytes == payload)
    let many = Repeated(rMessage: (0..<10_000).map { Scalars(fInt32: Int32($0), fString: "s\($0)") })
    #expect(try Repeated(serializedBytes: try many.serializedBytes()) == many)
  }

  @Test("Encoding appends to an existing buffer")
  func appends() throws {
    var buffer: [UInt8] = [9, 9]
    try Scalars(fInt32: 1).serialize(into: &buffer)
    #expect(buffer == [9, 9, 0x28, 0x01])
  }
}
