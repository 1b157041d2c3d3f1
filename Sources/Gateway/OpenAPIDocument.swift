public import RPCJSON
internal import RPCCore

/// The OpenAPI 3 document of the gateway's routes, generated from the contracts: paths and
/// operations from the HTTP rules, schemas from the messages.
public enum OpenAPIDocument {
  public static func build(routes: [GatewayRoute], title: String, version: String) -> JSONValue {
    var schemas: [String: JSONValue] = [:]
    var paths = JSONObject()
    for route in routes {
      route.input.collectProtoJSONSchemas(into: &schemas)
      route.output.collectProtoJSONSchemas(into: &schemas)
      let path = Self.openAPIPath(route.template)
      var operation = JSONObject()
      operation.append("operationId", .string("\(route.method.descriptor.service).\(route.method.descriptor.method)"))
      operation.append("tags", [.string(route.method.descriptor.service)])
      var parameters: [JSONValue] = []
      let bound = route.template.variables.map { $0.map(RequestTranslator.jsonName).joined(separator: ".") }
      for name in bound {
        parameters.append([
          "name": .string(name), "in": "path", "required": true,
          "schema": ["type": "string", "minLength": 1, "pattern": "^[^/]+$"],
        ])
      }
      if route.body.isEmpty, case .object(let input) = route.input.protoJSONSchema, case .object(let properties)? = input["properties"] {
        for member in properties.members where !bound.contains(member.key) {
          // Query parameters are flat: nested messages are not offered here.
          guard case .object(let property) = member.value, property["$ref"] == nil else { continue }
          var schema = property
          schema["description"] = nil
          parameters.append(["name": .string(member.key), "in": "query", "required": false, "schema": .object(schema)])
        }
      }
      if !parameters.isEmpty { operation.append("parameters", .array(parameters)) }
      if !route.body.isEmpty {
        let bodySchema: JSONValue = route.body == "*" ? Self.reference(route.input.protoJSONSchemaName) : Self.bodyFieldSchema(route)
        operation.append("requestBody", [
          "required": false,
          "content": ["application/json": ["schema": bodySchema]],
        ])
      }
      operation.append("security", [["bearerAuth": []]])
      operation.append("responses", [
        "200": ["description": "OK", "content": ["application/json": ["schema": Self.reference(route.output.protoJSONSchemaName)]]],
        "default": ["description": "An error", "content": ["application/json": ["schema": Self.reference("Error")]]],
      ])
      var item: JSONObject
      if case .object(let existing)? = paths[path] { item = existing } else { item = JSONObject() }
      item.append(route.httpMethod.lowercased(), .object(operation))
      paths[path] = .object(item)
    }
    schemas["Error"] = [
      "type": "object",
      "properties": [
        "code": ["type": "integer", "format": "int32", "description": "The gRPC status code."],
        "message": ["type": "string"],
        "details": ["type": "array", "items": ["type": "object"]],
      ],
    ]
    var schemaObject = JSONObject()
    for name in schemas.keys.sorted() { schemaObject.append(name, schemas[name]!) }
    return [
      "openapi": "3.0.3",
      "info": ["title": .string(title), "version": .string(version)],
      "paths": .object(paths),
      "components": [
        "schemas": .object(schemaObject),
        "securitySchemes": ["bearerAuth": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT"]],
      ],
    ]
  }

  private static func reference(_ name: String) -> JSONValue {
    ["$ref": .string("#/components/schemas/\(name)")]
  }

  private static func bodyFieldSchema(_ route: GatewayRoute) -> JSONValue {
    guard case .object(let input) = route.input.protoJSONSchema, case .object(let properties)? = input["properties"],
      let field = properties[RequestTranslator.jsonName(route.body)]
    else { return ["type": "object"] }
    return field
  }

  /// `/v1/orders/{id}:cancel` stays as it is; `{a.b=x/*}` becomes `{a.b}`.
  private static func openAPIPath(_ template: PathTemplate) -> String {
    var path = ""
    for segment in template.segments {
      path += "/"
      switch segment {
      case .literal(let literal): path += literal
      case .wildcard: path += "*"
      case .deepWildcard: path += "**"
      case .variable(let fieldPath, _): path += "{\(fieldPath.map(RequestTranslator.jsonName).joined(separator: "."))}"
      }
    }
    if let verb = template.verb { path += ":\(verb)" }
    return path
  }
}
