/// Name conversions: proto names to Swift names, and the names protoc-c 1.4 gives the same
/// things in C (its `c_helpers.cc`), so that generated Swift refers to generated C exactly.
public enum Naming {
  // MARK: Swift

  /// `user_id` → `userId`, as protoc derives `json_name`.
  public static func lowerCamelCase(_ name: String) -> String {
    var result = ""
    var upperNext = false
    for character in name {
      if character == "_" {
        upperNext = true
      } else if upperNext {
        result += character.uppercased()
        upperNext = false
      } else {
        result.append(character)
      }
    }
    return result
  }

  /// `user_id` → `UserId`.
  public static func upperCamelCase(_ name: String) -> String {
    let lower = Self.lowerCamelCase(name)
    guard let first = lower.first else { return lower }
    return first.uppercased() + lower.dropFirst()
  }

  /// `NOT_SERVING` → `notServing`; `HTTPRule` → `httpRule`.
  public static func lowerCamelCaseFromUpperSnake(_ name: String) -> String {
    let words = name.split(separator: "_").map { $0.lowercased() }
    guard let first = words.first else { return name }
    return first + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
  }

  /// `GetUser` → `getUser`; `HTTPGet` → `httpGet`.
  public static func lowerFirstWord(_ name: String) -> String {
    let characters = Array(name)
    var index = 0
    while index < characters.count, characters[index].isUppercase { index += 1 }
    if index == 0 { return name }
    // "HTTPGet": keep the last capital of a run when a lowercase letter follows it.
    let lowerCount = (index > 1 && index < characters.count) ? index - 1 : index
    return String(characters[..<lowerCount]).lowercased() + String(characters[lowerCount...])
  }

  /// Swift keywords that need backticks as identifiers.
  static let swiftKeywords: Set<String> = [
    "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import",
    "init", "inout", "internal", "let", "open", "operator", "private", "precedencegroup",
    "protocol", "public", "rethrows", "static", "struct", "subscript", "typealias", "var",
    "break", "case", "catch", "continue", "default", "defer", "do", "else", "fallthrough", "for",
    "guard", "if", "in", "repeat", "return", "throw", "switch", "where", "while", "as", "false",
    "is", "nil", "super", "self", "Self", "throws", "true", "try", "Any", "Protocol", "Type",
    "await", "async", "consume", "copy", "discard", "borrowing", "consuming", "some", "any",
    "package", "each",
  ]

  /// Member names generated code or the standard library already uses on messages.
  static let reservedMemberNames: Set<String> = [
    "hashValue", "description", "debugDescription", "protoMessageName", "init", "self", "Type",
  ]

  /// Type names that would shadow what generated code refers to.
  static let reservedTypeNames: Set<String> = [
    "String", "Int", "Int32", "Int64", "UInt32", "UInt64", "Float", "Double", "Bool", "Array",
    "Dictionary", "Optional", "Error", "Result", "Sendable", "Hashable", "Equatable", "Duration",
    "Timestamp", "ProtobufEmpty", "Metadata", "Status", "Method", "Client", "Type", "Protocol",
    "Self", "Any",
  ]

  /// A Swift identifier for a proto name, with backticks where it is a keyword.
  public static func swiftIdentifier(_ name: String) -> String {
    Self.swiftKeywords.contains(name) ? "`\(name)`" : name
  }

  /// The Swift property name of a field.
  public static func swiftFieldName(_ field: ProtoField) -> String {
    var name = Self.lowerCamelCase(field.name)
    if Self.reservedMemberNames.contains(name) { name += "_p" }
    return name
  }

  /// The Swift type name of a message or enum, given its proto name.
  public static func swiftTypeName(_ name: String) -> String {
    Self.reservedTypeNames.contains(name) ? name + "Message" : name
  }

  /// The Swift case name of an enum value: the enum's name as an upper-snake prefix is
  /// stripped (`ORDER_STATUS_CREATED` in `OrderStatus` → `created`), as swift-protobuf does.
  public static func swiftEnumCaseName(_ valueName: String, enumName: String) -> String {
    let prefix = Self.upperSnakeCase(enumName) + "_"
    var stripped = valueName
    if valueName.hasPrefix(prefix) {
      let rest = String(valueName.dropFirst(prefix.count))
      if let first = rest.first, !first.isNumber { stripped = rest }
    }
    var name = Self.lowerCamelCaseFromUpperSnake(stripped)
    if name.first?.isNumber == true { name = "_" + name }
    if name == "unrecognized" { name += "_" }
    return name
  }

  /// `OrderStatus` → `ORDER_STATUS`.
  static func upperSnakeCase(_ name: String) -> String {
    var result = ""
    var previousWasLower = false
    for character in name {
      if character.isUppercase && previousWasLower { result += "_" }
      result += character.uppercased()
      previousWasLower = character.isLowercase || character.isNumber
    }
    return result
  }

  // MARK: protoc-c

  /// protoc-c `ToCamel`: capitalise after each `_` and drop it; other letters stay. For the
  /// ASCII names protoc allows that is exactly `upperCamelCase`.
  static func cToCamel(_ name: String) -> String {
    Self.upperCamelCase(name)
  }

  /// protoc-c `CamelToLower`: an `_` before each capital that follows a non-capital.
  static func cCamelToLower(_ name: String) -> String {
    var result = ""
    var wasUpper = true
    for character in name {
      let isUpper = character.isASCII && character.isUppercase
      if isUpper {
        if !wasUpper { result += "_" }
        result += character.lowercased()
      } else {
        result.append(character)
      }
      wasUpper = isUpper
    }
    return result
  }

  /// protoc-c `FullNameToC`: `order.v1.LineItem` → `Order__V1__LineItem`.
  public static func cTypeName(fullName: String) -> String {
    Self.pieces(fullName).map(Self.cToCamel).joined(separator: "__")
  }

  /// protoc-c `FullNameToLower`: `order.v1.LineItem` → `order__v1__line_item`.
  public static func cFunctionPrefix(fullName: String) -> String {
    Self.pieces(fullName).map(Self.cCamelToLower).joined(separator: "__")
  }

  /// The C++ and C keywords protoc-c escapes in field names by appending `_`.
  static let cFieldKeywords: Set<String> = [
    "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch", "char",
    "class", "compl", "const", "const_cast", "continue", "default", "delete", "do", "double",
    "dynamic_cast", "else", "enum", "explicit", "extern", "false", "float", "for", "friend",
    "goto", "if", "inline", "int", "long", "mutable", "namespace", "new", "not", "not_eq",
    "operator", "or", "or_eq", "private", "protected", "public", "register", "reinterpret_cast",
    "return", "short", "signed", "sizeof", "static", "static_cast", "struct", "switch",
    "template", "this", "throw", "true", "try", "typedef", "typeid", "typename", "union",
    "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq",
  ]

  /// C keywords (C89 to C23): a service method whose lowered name is one of these makes
  /// protoc-c emit a header that does not compile, because it does not escape method names.
  public static let cKeywords: Set<String> = [
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
    "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
    "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef",
    "union", "unsigned", "void", "volatile", "while", "_Alignas", "_Alignof", "_Atomic", "_Bool",
    "_Complex", "_Generic", "_Imaginary", "_Noreturn", "_Static_assert", "_Thread_local",
    "alignas", "alignof", "bool", "constexpr", "false", "nullptr", "static_assert",
    "thread_local", "true", "typeof", "typeof_unqual", "asm",
  ]

  /// protoc-c `FieldName`: lowercased, `_` appended to keywords.
  public static func cFieldName(_ name: String) -> String {
    let lower = name.lowercased()
    return Self.cFieldKeywords.contains(lower) ? lower + "_" : lower
  }

  /// The member holding which field of a oneof is set: `my_choice_case`.
  public static func cOneofCaseMember(_ oneofName: String) -> String {
    Self.cCamelToLower(oneofName) + "_case"
  }

  /// The name protoc-c gives a service's function-pointer member for a method.
  public static func cServiceMethodMember(_ methodName: String) -> String {
    Self.cCamelToLower(methodName)
  }

  private static func pieces(_ fullName: String) -> [String] {
    fullName.split(separator: ".").map(String.init)
  }
}
