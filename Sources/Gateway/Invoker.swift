public import RPCCore
public import RPCJSON

/// Calls an RPC whose types are only known at run time, through the method table.
public enum Invoker {
  /// Decodes `json` as the route's request, calls the method, and returns the JSON text of the
  /// response (or of its `response_body` field).
  /// - Throws: ``RequestTranslator/Failure`` for a request that does not map, ``RPCError`` for
  ///   the call.
  public static func call(
    route: GatewayRoute,
    json: JSONValue,
    client: RPCClient,
    metadata: Metadata,
    options: CallOptions
  ) async throws -> [UInt8] {
    try await Self.call(route.input, route.output, route: route, json: json, client: client, metadata: metadata, options: options)
  }

  /// The same with the message types opened, so the call is typed end to end.
  private static func call<Input: RPCMessage & ProtoJSONMessage, Output: RPCMessage & ProtoJSONMessage>(
    _ input: Input.Type,
    _ output: Output.Type,
    route: GatewayRoute,
    json: JSONValue,
    client: RPCClient,
    metadata: Metadata,
    options: CallOptions
  ) async throws -> [UInt8] {
    let message: Input
    do {
      message = try Input(protoJSON: json, path: "")
    } catch {
      throw RequestTranslator.Failure(error.description)
    }
    let response = try await client.unary(
      request: ClientRequest(message: message, metadata: metadata),
      descriptor: route.method.descriptor,
      options: options,
      output: Output.self
    )
    guard !route.responseBody.isEmpty else {
      // The usual case: written field by field, no tree.
      return response.message.protoJSONBytes()
    }
    let body = response.message.protoJSON()
    guard case .object(let object) = body else { return body.serialized() }
    return (object[RequestTranslator.jsonName(route.responseBody)] ?? .null).serialized()
  }
}
