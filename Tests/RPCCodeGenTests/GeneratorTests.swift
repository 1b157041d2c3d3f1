import RPCCodeGen
import Testing

@Suite("Code generation")
struct GeneratorTests {
  private func request(_ file: ProtoFile, parameter: String = "", dependencies: [ProtoFile] = []) -> CodeGenRequest {
    CodeGenRequest(files: dependencies + [file], filesToGenerate: [file.name], parameter: parameter)
  }

  private func error(_ request: CodeGenRequest) -> String? {
    do {
      _ = try Generator().generate(request)
      return nil
    } catch {
      return error.message
    }
  }

  private static let echo = ProtoMessage(name: "Echo", fields: [ProtoField(name: "text", number: 1, kind: .string)])

  @Test("protoc-c's C names: types, functions, fields, oneof cases, service members")
  func cNames() {
    #expect(Naming.cTypeName(fullName: "order.v1.LineItem") == "Order__V1__LineItem")
    #expect(Naming.cTypeName(fullName: "kw_test.v1.HTTPRule") == "KwTest__V1__HTTPRule")
    #expect(Naming.cFunctionPrefix(fullName: "kw_test.v1.HTTPRule.InnerMsg") == "kw_test__v1__httprule__inner_msg")
    #expect(Naming.cFunctionPrefix(fullName: "grpc.health.v1.HealthCheckResponse") == "grpc__health__v1__health_check_response")
    #expect(Naming.cFieldName("delete") == "delete_")
    #expect(Naming.cFieldName("camelName") == "camelname")
    #expect(Naming.cOneofCaseMember("MyChoice") == "my_choice_case")
    #expect(Naming.cServiceMethodMember("SayHello") == "say_hello")
  }

  @Test("Swift names: fields, enum cases, methods")
  func swiftNames() {
    #expect(Naming.swiftFieldName(ProtoField(name: "unit_price_cents", number: 1, kind: .int64)) == "unitPriceCents")
    #expect(Naming.swiftEnumCaseName("ORDER_STATUS_CREATED", enumName: "OrderStatus") == "created")
    #expect(Naming.swiftEnumCaseName("NOT_SERVING", enumName: "ServingStatus") == "notServing")
    #expect(Naming.swiftEnumCaseName("COLOR_2D", enumName: "Color") == "color2d")
    #expect(Naming.lowerFirstWord("GetUser") == "getUser")
    #expect(Naming.lowerFirstWord("HTTPGet") == "httpGet")
    #expect(Naming.swiftIdentifier("default") == "`default`")
  }

  @Test("A simple file generates a message, its codec bridge, JSON mapping and a service")
  func generates() throws {
    let file = ProtoFile(
      name: "greet/v1/greet.proto",
      package: "greet.v1",
      messages: [Self.echo],
      services: [
        ProtoService(
          name: "Greeter",
          methods: [
            ProtoMethod(
              name: "SayHello",
              inputType: ".greet.v1.Echo",
              outputType: ".greet.v1.Echo",
              httpRule: ProtoHTTPRule(method: "POST", path: "/v1/hello", body: "*")
            )
          ]
        )
      ]
    )
    let files = try Generator().generate(self.request(file, parameter: "CModule=CGreet"))
    #expect(files.map(\.name) == ["greet_v1_greet.swift"])
    let source = files[0].content
    #expect(source.contains("public struct Echo: Sendable, Hashable"))
    #expect(source.contains("internal import CGreet"))
    #expect(source.contains("greet__v1__echo__init(c)"))
    #expect(source.contains("extension Echo: ProtobufMessage"))
    #expect(source.contains("extension Echo: ProtoJSONMessage"))
    #expect(source.contains("public enum Greeter"))
    #expect(source.contains("MethodDescriptor(service: \"greet.v1.Greeter\", method: \"SayHello\")"))
    #expect(source.contains("HTTPRule(method: \"POST\", path: \"/v1/hello\", body: \"*\", responseBody: \"\")"))
    #expect(source.contains("public func sayHello("))
  }

  @Test("Generation is deterministic")
  func deterministic() throws {
    let file = ProtoFile(name: "a.proto", package: "a", messages: [Self.echo])
    let first = try Generator().generate(self.request(file))
    let second = try Generator().generate(self.request(file))
    #expect(first == second)
  }

  @Test("Unsupported constructs fail with a message that names them")
  func unsupported() {
    let optional = ProtoFile(
      name: "o.proto",
      package: "o",
      messages: [ProtoMessage(name: "M", fields: [ProtoField(name: "nick", number: 1, kind: .string, oneofIndex: 0, isProto3Optional: true)], oneofs: ["_nick"])]
    )
    let optionalError = self.error(self.request(optional))
    #expect(optionalError?.contains("o.M.nick") == true)
    #expect(optionalError?.contains("proto3 'optional'") == true)
    #expect(optionalError?.contains("wrapper type") == true)

    let keyword = ProtoFile(
      name: "k.proto",
      package: "k",
      messages: [Self.echo],
      services: [ProtoService(name: "S", methods: [ProtoMethod(name: "Do", inputType: ".k.Echo", outputType: ".k.Echo")])]
    )
    let keywordError = self.error(self.request(keyword))
    #expect(keywordError?.contains("rpc k.S.Do") == true)
    #expect(keywordError?.contains("'do'") == true)
    #expect(keywordError?.contains("C keyword") == true)

    let streaming = ProtoFile(
      name: "s.proto",
      package: "s",
      messages: [Self.echo],
      services: [ProtoService(name: "S", methods: [ProtoMethod(name: "Watch", inputType: ".s.Echo", outputType: ".s.Echo", serverStreaming: true)])]
    )
    #expect(self.error(self.request(streaming))?.contains("streaming") == true)

    let proto2 = ProtoFile(name: "p.proto", package: "p", syntax: "proto2", messages: [Self.echo])
    #expect(self.error(self.request(proto2))?.contains("proto3 only") == true)

    let base = ProtoFile(name: "b.proto", package: "b", messages: [ProtoMessage(name: "M", fields: [ProtoField(name: "base", number: 1, kind: .int32)])])
    #expect(self.error(self.request(base))?.contains("'base'") == true)

    let group = ProtoFile(name: "g.proto", package: "g", messages: [ProtoMessage(name: "M", fields: [ProtoField(name: "g", number: 1, kind: .group)])])
    #expect(self.error(self.request(group))?.contains("group") == true)

    let anyFile = ProtoFile(name: "google/protobuf/any.proto", package: "google.protobuf", messages: [ProtoMessage(name: "Any")])
    let usesAny = ProtoFile(
      name: "a.proto",
      package: "a",
      messages: [ProtoMessage(name: "M", fields: [ProtoField(name: "x", number: 1, kind: .message, typeName: ".google.protobuf.Any")])]
    )
    #expect(self.error(self.request(usesAny, dependencies: [anyFile]))?.contains("google.protobuf.Any") == true)

    let other = ProtoFile(name: "other.proto", package: "other.v1", messages: [ProtoMessage(name: "Thing")])
    let usesOther = ProtoFile(
      name: "u.proto",
      package: "u",
      messages: [ProtoMessage(name: "M", fields: [ProtoField(name: "t", number: 1, kind: .message, typeName: ".other.v1.Thing")])]
    )
    #expect(self.error(self.request(usesOther, dependencies: [other]))?.contains("PackageModule=other.v1:") == true)
    #expect((try? Generator().generate(self.request(usesOther, parameter: "PackageModule=other.v1:OtherV1", dependencies: [other]))) != nil)

    #expect(self.error(self.request(ProtoFile(name: "x.proto", package: "x"), parameter: "Colour=blue"))?.contains("unknown option 'Colour'") == true)
  }
}
