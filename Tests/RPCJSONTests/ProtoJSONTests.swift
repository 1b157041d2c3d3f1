import Fixtures
import Foundation
import OrderV1
import RPCJSON
import RPCProtobufC
import TestSupport
import Testing

@Suite("proto3 JSON mapping")
struct ProtoJSONTests {
  private func parse(_ text: String) throws -> JSONValue {
    try JSONParser.parse(Array(text.utf8))
  }

  private func decode<M: ProtoJSONMessage>(_ type: M.Type, _ text: String) throws -> M {
    try M(protoJSON: try self.parse(text), path: "")
  }

  private func error<M: ProtoJSONMessage>(_ type: M.Type, _ text: String) -> ProtoJSONError? {
    do {
      _ = try M(protoJSON: try self.parse(text), path: "")
      return nil
    } catch let error as ProtoJSONError {
      return error
    } catch {
      Issue.record("unexpected \(error)")
      return nil
    }
  }

  @Test("Every field kind round-trips through JSON")
  func roundTrip() throws {
    for message in [CodecVectors.everything, Everything(), Everything(choice: .choiceText(""))] {
      let json = message.protoJSON()
      let reparsed = try JSONParser.parse(json.serialized())
      #expect(try Everything(protoJSON: reparsed, path: "") == message)
    }
    let scalars = CodecVectors.scalarsExtremes
    #expect(try Scalars(protoJSON: scalars.protoJSON(), path: "") == scalars)
    let repeated = CodecVectors.repeatedValues
    #expect(try Repeated(protoJSON: repeated.protoJSON(), path: "") == repeated)
  }

  @Test("Writing straight to bytes gives the tree's text, byte for byte, for every field kind")
  func directWriter() {
    let messages: [(String, any ProtoJSONMessage)] = [
      ("everything", CodecVectors.everything),
      ("empty", Everything()),
      ("empty oneof text", Everything(choice: .choiceText(""))),
      ("scalars", CodecVectors.scalarsExtremes),
      ("repeated", CodecVectors.repeatedValues),
      ("order", CodecVectors.orderWithItems),
    ]
    for (name, message) in messages {
      let direct = message.protoJSONBytes()
      let tree = message.protoJSON().serialized()
      #expect(direct == tree, "\(name): \(String(decoding: direct, as: UTF8.self)) vs \(String(decoding: tree, as: UTF8.self))")
    }
    // Nested containers: commas only between members and elements.
    var output = JSONOutput()
    output.beginArray()
    output.beginObject()
    output.key("a")
    output.beginArray()
    output.value(.number("1"))
    output.value(.number("2"))
    output.endArray()
    output.key("b")
    output.beginObject()
    output.endObject()
    output.endObject()
    output.value(.null)
    output.endArray()
    #expect(String(decoding: output.bytes, as: UTF8.self) == #"[{"a":[1,2],"b":{}},null]"#)
  }

  @Test("Our JSON equals what Python's json_format writes for the same messages")
  func matchesPython() async throws {
    let output = try await Subprocess.python("codec_vectors.py", ["json"])
    guard case .object(let python) = try JSONParser.parse(Array(output.utf8)) else {
      Issue.record("not an object")
      return
    }
    let ours: [String: JSONValue] = [
      "scalars_extremes": CodecVectors.scalarsExtremes.protoJSON(),
      "repeated_values": CodecVectors.repeatedValues.protoJSON(),
      "everything": CodecVectors.everything.protoJSON(),
      "order_with_items": CodecVectors.orderWithItems.protoJSON(),
      "empty_everything": Everything().protoJSON(),
    ]
    for member in python.members {
      #expect(Self.normalized(ours[member.key]!) == Self.normalized(member.value), "\(member.key): ours \(ours[member.key]!.jsonText) python \(member.value.jsonText)")
    }
  }

  /// Objects as sorted members and numbers as values, so that order and number spelling
  /// (`-1` and `-1.0`) do not count.
  static func normalized(_ value: JSONValue) -> JSONValue {
    switch value {
    case .number(let text): return .number(Double(text).map { "\($0)" } ?? text)
    case .array(let array): return .array(array.map(Self.normalized))
    case .object(let object):
      return .object(JSONObject(object.members.sorted { $0.key < $1.key }.map { .init(key: $0.key, value: Self.normalized($0.value)) }))
    default: return value
    }
  }

  @Test("Names out in lowerCamelCase, both spellings in; defaults left out")
  func names() throws {
    let order = Order(id: "o1", userId: "u1", totalCents: 0, requestId: "")
    #expect(order.protoJSON().jsonText == #"{"id":"o1","userId":"u1"}"#)
    #expect(try self.decode(Order.self, #"{"user_id":"a"}"#).userId == "a")
    #expect(try self.decode(Order.self, #"{"userId":"a"}"#).userId == "a")
    #expect(self.error(Order.self, #"{"userId":"a","user_id":"b"}"#)?.reason == "given more than once")
  }

  @Test("64-bit integers are strings out, numbers or strings in; ranges are checked")
  func integers() throws {
    #expect(Order(totalCents: 1 << 60).protoJSON().jsonText == #"{"totalCents":"1152921504606846976"}"#)
    #expect(try self.decode(Order.self, #"{"totalCents":"5"}"#).totalCents == 5)
    #expect(try self.decode(Order.self, #"{"totalCents":5}"#).totalCents == 5)
    #expect(try self.decode(Order.self, #"{"totalCents":1e3}"#).totalCents == 1000)
    #expect(try self.decode(LineItem.self, #"{"quantity":"7"}"#).quantity == 7)
    #expect(self.error(LineItem.self, #"{"quantity":2147483648}"#)?.path == "quantity")
    #expect(self.error(LineItem.self, #"{"quantity":1.5}"#) != nil)
    #expect(self.error(LineItem.self, #"{"quantity":"seven"}"#)?.reason.contains("integer") == true)
    #expect(self.error(LineItem.self, #"{"quantity":true}"#) != nil)
    #expect(self.error(Scalars.self, #"{"fUint32":-1}"#) != nil)
  }

  @Test("Enums by name out, names or numbers in")
  func enums() throws {
    #expect(Order(status: .created).protoJSON().jsonText == #"{"status":"ORDER_STATUS_CREATED"}"#)
    #expect(try self.decode(Order.self, #"{"status":"ORDER_STATUS_CANCELLED"}"#).status == .cancelled)
    #expect(try self.decode(Order.self, #"{"status":1}"#).status == .created)
    #expect(try self.decode(Order.self, #"{"status":7}"#).status == .unrecognized(7))
    #expect(self.error(Order.self, #"{"status":"SHIPPED"}"#)?.reason.contains("ORDER_STATUS_CREATED") == true)
  }

  @Test("Timestamps are RFC 3339 in UTC with Z; offsets accepted in")
  func timestamps() throws {
    #expect(Timestamp(seconds: 0).protoJSON() == .string("1970-01-01T00:00:00Z"))
    #expect(Timestamp(seconds: 1_700_000_000, nanos: 120_000_000).protoJSON() == .string("2023-11-14T22:13:20.120Z"))
    #expect(Timestamp(seconds: -1, nanos: 999_999_999).protoJSON() == .string("1969-12-31T23:59:59.999999999Z"))
    #expect(Timestamp(seconds: 951_782_400).protoJSON() == .string("2000-02-29T00:00:00Z"))
    #expect(Timestamp(rfc3339: "2023-11-14T23:13:20.120+01:00") == Timestamp(seconds: 1_700_000_000, nanos: 120_000_000))
    #expect(Timestamp(rfc3339: "0001-01-01T00:00:00Z")?.seconds == -62_135_596_800)
    for bad in ["2023-13-01T00:00:00Z", "2023-02-30T00:00:00Z", "2023-01-01 00:00:00Z", "2023-01-01T00:00:00", "2023-01-01T00:00:00.Z", "10000-01-01T00:00:00Z"] {
      #expect(Timestamp(rfc3339: bad) == nil, "\(bad)")
    }
    let order = try self.decode(Order.self, #"{"createTime":"2024-02-29T12:00:00.5Z"}"#)
    #expect(order.createTime?.protoJSON() == .string("2024-02-29T12:00:00.500Z"))
  }

  @Test("Durations, wrappers, bytes, maps, oneofs")
  func otherKinds() throws {
    let everything = try self.decode(
      Everything.self,
      #"{"ttl":"-1.5s","nickname":"","big":"0","blob":"AQI=","counts":{"a":1},"byId":{"-5":{"fInt32":3}},"flags":{"true":"t"},"choiceNumber":"9"}"#
    )
    #expect(everything.ttl == .seconds(-1) - .milliseconds(500))
    #expect(everything.nickname == "")
    #expect(everything.big == 0)
    #expect(everything.blob == [1, 2])
    #expect(everything.counts == ["a": 1])
    #expect(everything.byId[-5]?.fInt32 == 3)
    #expect(everything.flags == [true: "t"])
    #expect(everything.choice == .choiceNumber(9))
    #expect(try self.decode(Scalars.self, #"{"fBytes":"-_8"}"#).fBytes == [0xFB, 0xFF])
    #expect(self.error(Everything.self, #"{"choiceText":"a","choiceNumber":1}"#)?.reason.contains("oneof choice") == true)
    #expect(self.error(Everything.self, #"{"ttl":"5m"}"#) != nil)
    #expect(self.error(Everything.self, #"{"byId":{"x":{}}}"#) != nil)
  }

  @Test("Unknown fields, wrong types and nulls")
  func strictness() throws {
    let unknown = self.error(Order.self, #"{"id":"x","colour":"red"}"#)
    #expect(unknown?.path == "colour")
    #expect(unknown?.reason.contains("unknown field") == true)
    let nested = self.error(CreateOrderRequest.self, #"{"items":[{"sku":"a"},{"sku":5}]}"#)
    #expect(nested?.path == "items[1].sku")
    #expect(self.error(Order.self, #"[]"#)?.reason.contains("expected an object") == true)
    #expect(try self.decode(Order.self, #"{"id":null,"items":null,"createTime":null}"#) == Order())
    #expect(self.error(CreateOrderRequest.self, #"{"items":[null]}"#)?.path == "items[0]")
  }

  @Test("Malformed JSON is reported with its position")
  func syntaxErrors() throws {
    let cases = ["{", #"{"a" 1}"#, "[1,]", #"{"a":tru}"#, "01", #""\x""#, "{\"a\":1}garbage", #""\ud800""#]
    for text in cases {
      #expect(throws: JSONSyntaxError.self, "\(text)") { try JSONParser.parse(Array(text.utf8)) }
    }
    do {
      _ = try JSONParser.parse(Array("{\n  \"a\": [1, 2,,]\n}".utf8))
    } catch {
      #expect(error.line == 2)
      #expect(error.column == 14)
    }
    let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
    #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(Array(deep.utf8)) }
    #expect(try JSONParser.parse(Array(#"{"emoji":"\ud83d\ude08","esc":"\"\\\/\n"}"#.utf8)).jsonText == #"{"emoji":"😈","esc":"\"\\/\n"}"#)
  }

  @Test("Schemas: one per message, references resolved")
  func schemas() {
    let schemas = Order.protoJSONSchemas
    #expect(Set(schemas.keys) == ["order.v1.Order", "order.v1.LineItem", "google.protobuf.Timestamp"])
    guard case .object(let order) = schemas["order.v1.Order"]!, case .object(let properties) = order["properties"]! else {
      Issue.record("no properties")
      return
    }
    #expect(properties["totalCents"] == ["type": "string", "format": "int64", "pattern": "^-?[0-9]+$", "description": "The sum of quantity x unit_price_cents over the items, computed by the service."])
    #expect(properties["createTime"] == ["$ref": "#/components/schemas/google.protobuf.Timestamp"])
  }
}
