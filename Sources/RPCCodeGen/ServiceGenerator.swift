/// Emits, per service, a namespace with the method table, a server protocol (full and simple
/// forms) and a typed client.
struct ServiceGenerator {
  let types: TypeTable
  let visibility: String

  struct Method {
    var proto: ProtoMethod
    var swiftName: String
    var input: String
    var output: String
    var rules: [ProtoHTTPRule]
  }

  func write(_ service: ProtoService, package: String, to writer: inout SourceWriter) throws(CodeGenError) {
    let v = self.visibility
    let fullName = package.isEmpty ? service.name : "\(package).\(service.name)"
    let namespace = Naming.swiftTypeName(service.name)
    var methods: [Method] = []
    var names: Set<String> = []
    for method in service.methods {
      let user = "rpc \(fullName).\(method.name)"
      if method.clientStreaming || method.serverStreaming {
        throw CodeGenError(
          "\(user) is a streaming method; protoc-gen-swift-rpc generates unary methods only for now"
        )
      }
      let lowered = Naming.cServiceMethodMember(method.name)
      if Naming.cKeywords.contains(lowered) || lowered == "base" {
        throw CodeGenError(
          "\(user) becomes the C identifier '\(lowered)' in protoc-c's service struct, which is a C keyword or clashes with its 'base' member, so the generated C would not compile; rename the method"
        )
      }
      let swiftName = Naming.lowerFirstWord(method.name)
      guard names.insert(swiftName).inserted else {
        throw CodeGenError("\(user) has the same Swift name as another method: \(swiftName)")
      }
      let input = try self.types.message(method.inputType, usedBy: user)
      let output = try self.types.message(method.outputType, usedBy: user)
      for type in [input, output] {
        switch type.wellKnown {
        case .duration, .wrapper:
          throw CodeGenError("\(user) takes or returns \(type.fullName), which is not a message here; wrap it in a message")
        default:
          break
        }
      }
      var rules: [ProtoHTTPRule] = []
      if let rule = method.httpRule {
        rules.append(rule)
        rules.append(contentsOf: rule.additionalBindings)
      }
      methods.append(Method(proto: method, swiftName: swiftName, input: input.swiftName, output: output.swiftName, rules: rules))
    }

    writer.docComment(service.comment)
    writer.block("\(v) enum \(namespace)") { writer in
      writer.line("/// The fully qualified service name.")
      writer.line("\(v) static let name = \(fullName.swiftLiteral)")
      writer.line()
      writer.block("\(v) enum Method") { writer in
        for method in methods {
          writer.docComment(method.proto.comment)
          writer.block("\(v) enum \(Naming.swiftTypeName(method.proto.name))") { writer in
            writer.line("\(v) typealias Input = \(method.input)")
            writer.line("\(v) typealias Output = \(method.output)")
            writer.line("\(v) static let descriptor = MethodDescriptor(service: \(fullName.swiftLiteral), method: \(method.proto.name.swiftLiteral))")
            if method.rules.isEmpty {
              writer.line("\(v) static let httpRules: [HTTPRule] = []")
            } else {
              writer.line("\(v) static let httpRules: [HTTPRule] = [")
              for rule in method.rules {
                writer.line("  HTTPRule(method: \(rule.method.swiftLiteral), path: \(rule.path.swiftLiteral), body: \(rule.body.swiftLiteral), responseBody: \(rule.responseBody.swiftLiteral)),")
              }
              writer.line("]")
            }
          }
        }
        writer.line()
        writer.line("/// The method table: every method with its types and HTTP bindings.")
        writer.line("\(v) static let table: [MethodInfo] = [")
        for method in methods {
          let type = Naming.swiftTypeName(method.proto.name)
          writer.line("  MethodInfo(descriptor: \(type).descriptor, inputType: \(type).Input.self, outputType: \(type).Output.self, httpRules: \(type).httpRules),")
        }
        writer.line("]")
      }

      writer.line()
      writer.line("/// The server side, with full control over metadata.")
      writer.block("\(v) protocol ServiceProtocol: RPCService") { writer in
        for method in methods {
          writer.docComment(method.proto.comment)
          writer.line("func \(Naming.swiftIdentifier(method.swiftName))(")
          writer.line("  request: ServerRequest<\(method.input)>,")
          writer.line("  context: ServerContext")
          writer.line(") async throws -> ServerResponse<\(method.output)>")
        }
      }
      writer.line()
      writer.line("/// The server side as plain functions from request to response message.")
      writer.block("\(v) protocol SimpleServiceProtocol: ServiceProtocol") { writer in
        for method in methods {
          writer.docComment(method.proto.comment)
          writer.line("func \(Naming.swiftIdentifier(method.swiftName))(")
          writer.line("  _ request: \(method.input),")
          writer.line("  context: ServerContext")
          writer.line(") async throws -> \(method.output)")
        }
      }
      writer.line()
      writer.line("/// The typed client.")
      writer.block("\(v) struct Client: Sendable") { writer in
        writer.line("/// The client calls go through.")
        writer.line("\(v) let client: RPCClient")
        writer.line()
        writer.line("/// Creates a client over an ``RPCClient``.")
        writer.block("\(v) init(wrapping client: RPCClient)") { writer in
          writer.line("self.client = client")
        }
        for method in methods {
          let type = "Method.\(Naming.swiftTypeName(method.proto.name))"
          writer.line()
          writer.docComment(method.proto.comment)
          writer.line("\(v) func \(Naming.swiftIdentifier(method.swiftName))(")
          writer.line("  _ message: \(method.input),")
          writer.line("  metadata: Metadata = [:],")
          writer.line("  options: CallOptions = .defaults")
          writer.block(") async throws(RPCError) -> \(method.output)") { writer in
            writer.line("try await self.client.unary(")
            writer.line("  request: ClientRequest(message: message, metadata: metadata),")
            writer.line("  descriptor: \(type).descriptor,")
            writer.line("  options: options,")
            writer.line("  output: \(method.output).self")
            writer.line(").message")
          }
          writer.line()
          writer.docComment(method.proto.comment.isEmpty ? "" : "\(method.proto.comment)\n\nWith metadata both ways.")
          writer.line("\(v) func \(Naming.swiftIdentifier(method.swiftName))(")
          writer.line("  request: ClientRequest<\(method.input)>,")
          writer.line("  options: CallOptions = .defaults")
          writer.block(") async throws(RPCError) -> ClientResponse<\(method.output)>") { writer in
            writer.line("try await self.client.unary(")
            writer.line("  request: request,")
            writer.line("  descriptor: \(type).descriptor,")
            writer.line("  options: options,")
            writer.line("  output: \(method.output).self")
            writer.line(")")
          }
        }
      }
    }
    writer.line()
    writer.block("extension \(namespace).ServiceProtocol") { writer in
      writer.block("\(v) var methods: [ServerMethod]") { writer in
        writer.line("[")
        for method in methods {
          let type = "\(namespace).Method.\(Naming.swiftTypeName(method.proto.name))"
          writer.line("  .unary(\(type).descriptor) { request, context in")
          writer.line("    try await self.\(Naming.swiftIdentifier(method.swiftName))(request: request, context: context)")
          writer.line("  },")
        }
        writer.line("]")
      }
    }
    writer.line()
    writer.block("extension \(namespace).SimpleServiceProtocol") { writer in
      for (index, method) in methods.enumerated() {
        if index > 0 { writer.line() }
        writer.line("\(v) func \(Naming.swiftIdentifier(method.swiftName))(")
        writer.line("  request: ServerRequest<\(method.input)>,")
        writer.line("  context: ServerContext")
        writer.block(") async throws -> ServerResponse<\(method.output)>") { writer in
          writer.line("ServerResponse(message: try await self.\(Naming.swiftIdentifier(method.swiftName))(request.message, context: context))")
        }
      }
    }
  }
}
