import Fixtures
import OrderV1
import RPCCore
import RPCProtobufC
import Testing

/// Untrusted bytes: each malformation is a typed error, never a crash or a silent truncation.
@Suite("Decoding untrusted bytes")
struct BadInputTests {
  private func decodeError<M: ProtobufMessage>(
    _ type: M.Type,
    _ bytes: [UInt8],
    limits: DecodingLimits = .default
  ) -> ProtobufDecodingError? {
    do {
      _ = try bytes.withUnsafeBytes { try M(serializedBytes: $0, limits: limits) }
      return nil
    } catch let error as ProtobufDecodingError {
      return error
    } catch {
      Issue.record("decoding threw \(error), not a ProtobufDecodingError")
      return nil
    }
  }

  @Test("A truncated varint")
  func truncatedVarint() {
    // f_int64 (field 3, varint) whose value never ends.
    let error = self.decodeError(Scalars.self, [0x18, 0xFF, 0xFF])
    #expect(error?.code == .truncated)
  }

  @Test("A varint longer than ten bytes")
  func overlongVarint() {
    var bytes: [UInt8] = [0x18]
    bytes += [UInt8](repeating: 0xFF, count: 10)
    bytes.append(0x01)
    let error = self.decodeError(Scalars.self, bytes)
    #expect(error?.code == .malformed)
  }

  @Test("A length past the end")
  func lengthPastEnd() {
    // f_string (field 9) claims 10 bytes, 2 follow.
    let error = self.decodeError(Scalars.self, [0x4A, 0x0A, 0x61, 0x62])
    #expect(error?.code == .truncated)
    #expect(error?.message.contains("fixtures.v1.Scalars.f_string") == true)
  }

  @Test("A fixed-width value cut short")
  func truncatedFixed() {
    // f_double (field 1, 64-bit) with 3 bytes.
    #expect(self.decodeError(Scalars.self, [0x09, 0x00, 0x00, 0x00])?.code == .truncated)
  }

  @Test("A known field with the wrong wire type")
  func wrongWireType() {
    // f_string (field 9) as a varint.
    let error = self.decodeError(Scalars.self, [0x48, 0x01])
    #expect(error?.code == .wrongWireType)
    #expect(error?.message.contains("f_string") == true)
  }

  @Test("Groups and the invalid wire types 6 and 7")
  func unsupportedWireTypes() {
    #expect(self.decodeError(Scalars.self, [0xA3, 0x06])?.code == .unsupportedWireType)  // 100, start group
    #expect(self.decodeError(Scalars.self, [0xA6, 0x06, 0x00])?.code == .unsupportedWireType)
    #expect(self.decodeError(Scalars.self, [0xA7, 0x06, 0x00])?.code == .unsupportedWireType)
  }

  @Test("Field number zero")
  func fieldNumberZero() {
    #expect(self.decodeError(Scalars.self, [0x00, 0x01])?.code == .invalidTag)
  }

  @Test("Unknown fields of every valid wire type are skipped")
  func unknownFieldsSkipped() throws {
    // Field 100 as varint, 64-bit, length-delimited and 32-bit, then f_int32 = 5.
    var bytes: [UInt8] = [0xA0, 0x06, 0x01]
    bytes += [0xA1, 0x06, 0, 0, 0, 0, 0, 0, 0, 0]
    bytes += [0xA2, 0x06, 0x02, 0x41, 0x42]
    bytes += [0xA5, 0x06, 0, 0, 0, 0]
    bytes += [0x28, 0x05]
    #expect(try Scalars(serializedBytes: bytes).fInt32 == 5)
  }

  @Test("Nesting past the depth limit")
  func depthLimit() throws {
    // Node{children: [Node{children: [...]}]} nested 150 deep, built from the inside out.
    var bytes: [UInt8] = []
    for _ in 0..<150 {
      var length = bytes.count
      var prefix: [UInt8] = [0x0A]
      repeat {
        prefix.append(UInt8(length & 0x7F) | (length > 0x7F ? 0x80 : 0))
        length >>= 7
      } while length > 0
      bytes = prefix + bytes
    }
    #expect(self.decodeError(Node.self, bytes)?.code == .depthLimitExceeded)
    let shallow = DecodingLimits(maxMessageBytes: 1 << 20, maxDepth: 200, maxAllocationBytes: 1 << 26)
    #expect(self.decodeError(Node.self, bytes, limits: shallow) == nil)
  }

  @Test("A message over the size limit")
  func sizeLimit() {
    let limits = DecodingLimits(maxMessageBytes: 4, maxDepth: 100, maxAllocationBytes: 1 << 20)
    #expect(self.decodeError(Scalars.self, [0x28, 0x01, 0x30, 0x01, 0x40, 0x01], limits: limits)?.code == .messageTooLarge)
  }

  @Test("Amplification past the memory limit")
  func allocationLimit() {
    // 100,000 empty Scalars in Repeated.r_message: 2 bytes each on the wire, ~150 in memory.
    let bytes = [UInt8]((0..<100_000).flatMap { _ in [0x8A, 0x01, 0x00] as [UInt8] })
    let limits = DecodingLimits(maxMessageBytes: 1 << 20, maxDepth: 100, maxAllocationBytes: 1 << 20)
    #expect(self.decodeError(Repeated.self, bytes, limits: limits)?.code == .allocationLimitExceeded)
  }

  @Test("A string with an embedded NUL is refused, not truncated")
  func embeddedNULOnDecode() {
    // f_string = "a\0b"
    let error = self.decodeError(Scalars.self, [0x4A, 0x03, 0x61, 0x00, 0x62])
    #expect(error?.code == .embeddedNUL)
    #expect(error?.message.contains("fixtures.v1.Scalars.f_string") == true)
    // The same inside a nested message and in a map key.
    #expect(self.decodeError(Repeated.self, [0x8A, 0x01, 0x03, 0x4A, 0x01, 0x00])?.code == .embeddedNUL)
    #expect(self.decodeError(Everything.self, [0x22, 0x05, 0x0A, 0x03, 0x61, 0x00, 0x62])?.code == .embeddedNUL)
  }

  @Test("A string with an embedded NUL is refused on encode")
  func embeddedNULOnEncode() {
    #expect(throws: ProtobufEncodingError.self) { try Scalars(fString: "a\u{0}b").serializedBytes() }
    #expect(throws: ProtobufEncodingError.self) { try Repeated(rString: ["ok", "\u{0}"]).serializedBytes() }
    #expect(throws: ProtobufEncodingError.self) { try Everything(counts: ["a\u{0}": 1]).serializedBytes() }
  }

  @Test("Invalid UTF-8 in a string is refused")
  func invalidUTF8() {
    // f_string = 0xC3 0x28 (an invalid two-byte sequence).
    let error = self.decodeError(Scalars.self, [0x4A, 0x02, 0xC3, 0x28])
    #expect(error?.code == .invalidUTF8)
    // Bytes fields take anything.
    #expect(self.decodeError(Scalars.self, [0x52, 0x02, 0xC3, 0x28]) == nil)
  }

  @Test("A packed run of fixed-width values that does not divide evenly")
  func packedRemainder() {
    // r_fixed32 (field 7) packed, 5 bytes.
    #expect(self.decodeError(Repeated.self, [0x3A, 0x05, 1, 2, 3, 4, 5])?.code == .truncated)
  }

  @Test("Random bytes never crash the decoder")
  func fuzz() {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<20_000 {
      let count = Int.random(in: 0..<64, using: &generator)
      let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
      _ = self.decodeError(Everything.self, bytes)
      _ = self.decodeError(Order.self, bytes)
    }
  }
}
