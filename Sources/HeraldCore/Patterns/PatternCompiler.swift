/// Turns pattern JSON into `$or`-free `PatternNode` trees, collecting every `PatternError` on the way.
///
/// Two passes. The first validates the whole pattern (so a validator sees every problem, not only
/// the first) and builds a small syntax tree; the second expands `$or` the way EventBridge does:
/// fields are written, in document order, into every alternative built so far, and a `$or` forks
/// them. Two consequences are EventBridge's, and kept on purpose:
/// - a field constrained both outside and inside a `$or` keeps the *last* list written
///   (`{"a": ["1"], "$or": [{"a": ["2"]}, {"b": ["3"]}]}` is `a = 2` OR `a = 1 and b = 3`);
/// - a path used both as a value list and as an object (`"a": [1]` and `"a": {"b": [2]}`) makes
///   that alternative unsatisfiable rather than an error.
struct PatternCompiler {
    /// EventBridge's limit: the product of the lengths of every `$or` list in a pattern.
    static let maxCombinations = 1000
    /// A guard on nesting (not an EventBridge rule) so compiling and matching stay shallow.
    static let maxDepth = 100

    /// Operators a value-list object may use. `exactly` is Event Ruler's spelled-out exact match.
    static let operators = [
        "prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but", "numeric", "exists", "cidr", "exactly",
    ]
    /// Operators `anything-but` may negate.
    static let negatableOperators = ["prefix", "suffix", "equals-ignore-case", "wildcard"]
    static let comparisons: Set<String> = ["=", "<", "<=", ">", ">="]
    /// Field names EventBridge refuses inside a `$or` alternative, so that an operator written one
    /// level too high is not mistaken for a field (and names kept for future operators).
    static let reservedInsideOr: Set<String> = [
        "anything-but", "prefix", "suffix", "equals-ignore-case", "numeric", "exists", "cidr", "wildcard", "exactly",
        "=", "<", "<=", ">", ">=", "regex", "not-wildcard", "not-equals-ignore-case", "date-after",
        "date-on-or-after", "date-before", "date-on-or-before", "in-date-range", "ip-address-in-range",
        "ip-address-not-in-range",
    ]

    struct Output {
        var branches: [PatternNode]
        var errors: [PatternError]
    }

    static func compile(_ json: JSONValue) -> Output {
        var compiler = PatternCompiler()
        guard case .object(let object) = json else {
            compiler.fail(
                .root, "an event pattern must be a JSON object, not \(describe(json))",
                hint: #"write an object of fields, e.g. {"source": ["my.app"], "detail": {"state": ["failed"]}}"#)
            return Output(branches: [], errors: compiler.errors)
        }
        let syntax = compiler.object(object, at: .root, depth: 1, insideOr: false)
        compiler.checkCombinations(of: syntax)
        guard compiler.errors.isEmpty else { return Output(branches: [], errors: compiler.errors) }

        var alternatives = [Alternative()]
        expand(syntax, path: [], into: &alternatives)
        let branches = alternatives.compactMap { alternative -> PatternNode? in
            guard !alternative.unsatisfiable, !alternative.root.keys.isEmpty else { return nil }
            return node(from: alternative.root)
        }
        return Output(branches: branches, errors: [])
    }

    private(set) var errors: [PatternError] = []

    private mutating func fail(_ pointer: JSONPointer, _ message: String, hint: String, subject: PatternError.Subject = .value) {
        errors.append(PatternError(pointer: pointer, message: message, hint: hint, subject: subject))
    }

    // MARK: - Syntax tree

    struct SyntaxObject {
        var members: [SyntaxMember] = []
    }

    enum SyntaxMember {
        case field(String, SyntaxField)
        case or([SyntaxObject], at: JSONPointer)
    }

    indirect enum SyntaxField {
        case leaf(LeafTest)
        case object(SyntaxObject)
    }

    // MARK: - Objects, fields and $or

    private mutating func object(_ object: JSONObject, at pointer: JSONPointer, depth: Int, insideOr: Bool)
        -> SyntaxObject
    {
        var syntax = SyntaxObject()
        guard depth <= Self.maxDepth else {
            fail(
                pointer, "the pattern nests deeper than \(Self.maxDepth) levels",
                hint: "flatten the pattern; no event needs that many levels")
            return syntax
        }
        if object.isEmpty {
            fail(
                pointer, "an empty object matches nothing and is not allowed",
                hint: #"give it at least one field, e.g. {"state": ["running"]}, or remove it"#)
        }
        for member in object.members {
            let here = pointer.appending(key: member.key)
            if member.key == "$or" {
                if let alternatives = or(member.value, at: here, depth: depth) {
                    syntax.members.append(.or(alternatives, at: here))
                }
                continue
            }
            if insideOr, Self.reservedInsideOr.contains(member.key) {
                fail(
                    here, "\"\(member.key)\" is an EventBridge operator name and cannot be a field name inside $or",
                    hint: "to use the operator, put it in a field's value list, e.g. "
                        + "{\"field\": [{\"\(member.key)\": …}]}; to match a field with this name, move it out of the $or", subject: .key)
                continue
            }
            switch member.value {
            case .object(let nested):
                let child = self.object(nested, at: here, depth: depth + 1, insideOr: insideOr)
                syntax.members.append(.field(member.key, .object(child)))
            case .array(let values):
                if let leaf = leaf(values, at: here) {
                    syntax.members.append(.field(member.key, .leaf(leaf)))
                }
            default:
                scalarField(member.key, member.value, at: here)
            }
        }
        return syntax
    }

    private mutating func scalarField(_ key: String, _ value: JSONValue, at pointer: JSONPointer) {
        let message = "\"\(key)\" must hold a list of values or a nested object, not \(Self.describe(value))"
        if Self.operators.contains(key), let parent = pointer.components.dropLast().last, case .key(let field) = parent {
            fail(
                pointer, message,
                hint: "operators go inside the field's value list: \"\(field)\": [{\"\(key)\": \(Self.jsonText(value))}]")
        } else {
            fail(pointer, message, hint: "wrap the value in a list: \"\(key)\": [\(Self.jsonText(value))]")
        }
    }

    private mutating func or(_ value: JSONValue, at pointer: JSONPointer, depth: Int) -> [SyntaxObject]? {
        guard case .array(let members) = value else {
            fail(
                pointer, "$or needs a list of at least two alternative objects, not \(Self.describe(value))",
                hint: #"write "$or": [{"source": ["a"]}, {"detail-type": ["b"]}]"#)
            return nil
        }
        if members.count < 2 {
            fail(
                pointer, "$or needs at least two alternatives, found \(members.count)",
                hint: members.isEmpty
                    ? "list two or more alternative objects, or remove the $or"
                    : "add a second alternative, or move the fields out of the $or")
        }
        var alternatives: [SyntaxObject] = []
        for (index, member) in members.enumerated() {
            let here = pointer.appending(index: index)
            guard case .object(let object) = member else {
                fail(
                    here, "each $or alternative must be an object of fields, not \(Self.describe(member))",
                    hint: #"write an object, e.g. {"state": ["running"]}"#)
                continue
            }
            alternatives.append(self.object(object, at: here, depth: depth + 1, insideOr: true))
        }
        return alternatives
    }

    /// EventBridge counts the product of every `$or` list's length (nested ones included).
    private mutating func checkCombinations(of syntax: SyntaxObject) {
        var firstOr: JSONPointer?
        let count = Self.combinations(of: syntax, firstOr: &firstOr)
        if count > Self.maxCombinations, let firstOr {
            fail(
                firstOr, "the pattern's $or lists multiply out to more than \(Self.maxCombinations) combinations",
                hint: "EventBridge refuses such patterns; split it into several rules or merge alternatives "
                    + "by listing values together (\"state\": [\"a\", \"b\"])")
        }
    }

    private static func combinations(of syntax: SyntaxObject, firstOr: inout JSONPointer?) -> Int {
        var product = 1
        for member in syntax.members {
            switch member {
            case .field(_, .object(let child)):
                product = product.multipliedSaturating(by: combinations(of: child, firstOr: &firstOr))
            case .field(_, .leaf):
                continue
            case .or(let alternatives, let pointer):
                if firstOr == nil { firstOr = pointer }
                product = product.multipliedSaturating(by: alternatives.count)
                for alternative in alternatives {
                    product = product.multipliedSaturating(by: combinations(of: alternative, firstOr: &firstOr))
                }
            }
            if product > maxCombinations { return product }
        }
        return product
    }

    // MARK: - Value lists

    private enum Expression {
        case matcher(ValueMatcher)
        case absent
        case invalid
    }

    private mutating func leaf(_ values: [JSONValue], at pointer: JSONPointer) -> LeafTest? {
        guard !values.isEmpty else {
            fail(
                pointer, "an empty value list matches nothing and is not allowed",
                hint: #"list at least one value, e.g. ["running"], "#
                    + #"or write [{"exists": false}] to match events without this field"#)
            return nil
        }
        var matchers: [ValueMatcher] = []
        var strings: [String] = []
        var allowsAbsence = false
        var valid = true
        for (index, value) in values.enumerated() {
            let here = pointer.appending(index: index)
            switch value {
            case .string(let string):
                strings.append(string)
            case .number(let number):
                matchers.append(.exactNumber(number.value == 0 ? 0 : number.value))
            case .bool(let bool):
                matchers.append(.exactBool(bool))
            case .null:
                matchers.append(.exactNull)
            case .array:
                fail(here, "a value list cannot contain another list", hint: #"list the values directly, e.g. ["a", "b"]"#)
                valid = false
            case .object(let object):
                switch expression(object, at: here) {
                case .matcher(let matcher): matchers.append(matcher)
                case .absent: allowsAbsence = true
                case .invalid: valid = false
                }
            }
        }
        // Exact strings first: they are the cheapest test and the most common one.
        if strings.count == 1, let string = strings.first {
            matchers.insert(.exactString(string), at: 0)
        } else if strings.count > 1 {
            matchers.insert(.exactStrings(StringSet(strings)), at: 0)
        }
        return valid ? LeafTest(matchers: matchers, allowsAbsence: allowsAbsence) : nil
    }

    private mutating func expression(_ object: JSONObject, at pointer: JSONPointer) -> Expression {
        guard let first = object.members.first else {
            fail(
                pointer, "an operator object needs exactly one operator, found none",
                hint: #"write e.g. {"prefix": "us-"}; operators: "# + Self.operators.dropLast().joined(separator: ", "))
            return .invalid
        }
        var result = operand(first.key, first.value, at: pointer.appending(key: first.key))
        if object.count > 1 {
            let extra = object.members[1]
            let names = object.keys.map { "\"\($0)\"" }.joined(separator: ", ")
            fail(
                pointer.appending(key: extra.key),
                "an operator object holds exactly one operator, but this one has \(object.count): \(names)",
                hint: "give each operator its own object in the list; [{\"\(first.key)\": …}, {\"\(extra.key)\": …}] "
                    + "matches either one", subject: .key)
            result = .invalid
        }
        return result
    }

    private mutating func operand(_ name: String, _ value: JSONValue, at pointer: JSONPointer) -> Expression {
        switch name {
        case "prefix", "suffix":
            return affix(name, value, at: pointer)
        case "equals-ignore-case":
            guard case .string(let string) = value else {
                fail(
                    pointer, "equals-ignore-case needs a string, not \(Self.describe(value))",
                    hint: #"write {"equals-ignore-case": "Running"}"#)
                return .invalid
            }
            return .matcher(.equalsIgnoringCase(CaseInsensitiveText(string)))
        case "exactly":
            guard case .string(let string) = value else {
                fail(
                    pointer, "exactly needs a string, not \(Self.describe(value))",
                    hint: "write the value itself in the list instead, e.g. [\(Self.jsonText(value))]")
                return .invalid
            }
            return .matcher(.exactString(string))
        case "wildcard":
            guard let pattern = wildcard(value, at: pointer, operatorName: "wildcard") else { return .invalid }
            return .matcher(.wildcard(pattern))
        case "anything-but":
            return anythingBut(value, at: pointer)
        case "numeric":
            return numeric(value, at: pointer)
        case "exists":
            guard case .bool(let exists) = value else {
                let hint =
                    if case .string(let text) = value, text == "true" || text == "false" {
                        "write \(text) without quotes: {\"exists\": \(text)}"
                    } else {
                        #"write {"exists": true} for fields that are present, {"exists": false} for fields that are missing"#
                    }
                fail(pointer, "exists takes true or false, not \(Self.describe(value))", hint: hint)
                return .invalid
            }
            return exists ? .matcher(.anyValue) : .absent
        case "cidr":
            return cidr(value, at: pointer)
        default:
            fail(pointer, "unknown operator \"\(name)\"", hint: Self.operatorHint(for: name), subject: .key)
            return .invalid
        }
    }

    private static func operatorHint(for name: String) -> String {
        if let close = Suggestion.closest(to: name, among: operators) {
            return close == name.lowercased()
                ? "did you mean \"\(close)\"? Operator names are lower case"
                : "did you mean \"\(close)\"?"
        }
        switch name.lowercased() {
        case "contains", "includes", "substring":
            return #"EventBridge has no "contains"; use {"wildcard": "*text*"}"#
        case "equals", "eq", "is", "equal":
            return #"write the value itself in the list, e.g. ["text"], or use {"equals-ignore-case": "text"}"#
        case "not", "ne", "not-equals", "!=", "none-of", "not-in":
            return #"use {"anything-but": ["value"]}"#
        case "=", "<", "<=", ">", ">=", "gt", "lt", "gte", "lte", "range", "between":
            return #"comparisons go inside numeric: {"numeric": [">", 0, "<=", 5]}"#
        case "regex", "regexp", "matches":
            return #"EventBridge has no regular expressions; use {"wildcard": "a*b"}, "prefix" or "suffix""#
        default:
            return "use one of: " + operators.dropLast().joined(separator: ", ")
        }
    }

    // MARK: - Operators

    private mutating func affix(_ name: String, _ value: JSONValue, at pointer: JSONPointer) -> Expression {
        let isPrefix = name == "prefix"
        switch value {
        case .string(let string):
            return .matcher(isPrefix ? .prefix(Array(string.utf8)) : .suffix(Array(string.utf8)))
        case .object(let object):
            guard let inner = object.members.first else {
                fail(
                    pointer, "\(name) with an object needs {\"equals-ignore-case\": …} inside, found an empty object",
                    hint: "write {\"\(name)\": {\"equals-ignore-case\": \"abc\"}} or {\"\(name)\": \"abc\"}")
                return .invalid
            }
            if object.count > 1 {
                fail(
                    pointer.appending(key: object.members[1].key),
                    "\(name) takes one operator inside its object, found \(object.count)",
                    hint: "write {\"\(name)\": {\"equals-ignore-case\": \"abc\"}}", subject: .key)
                return .invalid
            }
            let here = pointer.appending(key: inner.key)
            guard inner.key == "equals-ignore-case" else {
                fail(
                    here, "\(name) accepts only \"equals-ignore-case\" inside an object, not \"\(inner.key)\"",
                    hint: "write {\"\(name)\": {\"equals-ignore-case\": \"abc\"}} or {\"\(name)\": \"abc\"}", subject: .key)
                return .invalid
            }
            guard case .string(let string) = inner.value else {
                fail(
                    here, "equals-ignore-case needs a string, not \(Self.describe(inner.value))",
                    hint: "write {\"\(name)\": {\"equals-ignore-case\": \"abc\"}}")
                return .invalid
            }
            let text = CaseInsensitiveText(string)
            return .matcher(isPrefix ? .prefixIgnoringCase(text) : .suffixIgnoringCase(text))
        default:
            let example = isPrefix ? "us-" : ".png"
            var hint = "write {\"\(name)\": \"\(example)\"} or {\"\(name)\": {\"equals-ignore-case\": \"\(example)\"}}"
            if case .number(let number) = value {
                hint = "\(name) only matches strings; write {\"\(name)\": \"\(number.literal)\"} to match string values"
            }
            fail(pointer, "\(name) needs a string, not \(Self.describe(value))", hint: hint)
            return .invalid
        }
    }

    private mutating func wildcard(_ value: JSONValue, at pointer: JSONPointer, operatorName: String)
        -> WildcardPattern?
    {
        guard case .string(let text) = value else {
            fail(
                pointer, "\(operatorName) needs a string, not \(Self.describe(value))",
                hint: #"write {"wildcard": "*.png"}"#)
            return nil
        }
        let pattern: WildcardPattern
        do {
            pattern = try WildcardPattern(text)
        } catch {
            switch error {
            case .consecutiveStars(let position):
                var collapsed = text
                while collapsed.contains("**") { collapsed = collapsed.replacing("**", with: "*") }
                fail(
                    pointer, "wildcard \"\(text)\" has two * in a row at character \(position), which EventBridge refuses",
                    hint: "one * already matches any run of characters: write \"\(collapsed)\"")
            case .invalidEscape(let position):
                fail(
                    pointer, "wildcard \"\(text)\" has a backslash at character \(position) that escapes neither * nor \\",
                    hint: #"write \* for a literal star and \\ for a literal backslash (in JSON: "\\*" and "\\\\")"#)
            }
            return nil
        }
        return pattern
    }

    private mutating func anythingBut(_ value: JSONValue, at pointer: JSONPointer) -> Expression {
        switch value {
        case .string(let string):
            return .matcher(.anythingBut(.strings(StringSet([string]))))
        case .number(let number):
            guard checkComparable(number, at: pointer) else { return .invalid }
            return .matcher(.anythingBut(.numbers([number.value == 0 ? 0 : number.value])))
        case .bool(let bool):
            fail(
                pointer, "anything-but takes a string, a number, a list of either, or an object such as "
                    + "{\"prefix\": \"…\"}, not \(Self.describe(value))",
                hint: "to exclude \(bool), match the other value: [\(!bool)]")
            return .invalid
        case .null:
            fail(
                pointer, "anything-but takes a string, a number, a list of either, or an object such as "
                    + "{\"prefix\": \"…\"}, not null",
                hint: #"EventBridge cannot exclude null; match the values you want instead, or use {"exists": true}"#)
            return .invalid
        case .array(let items):
            return anythingButList(items, at: pointer)
        case .object(let object):
            return anythingButOperator(object, at: pointer)
        }
    }

    private mutating func anythingButList(_ items: [JSONValue], at pointer: JSONPointer) -> Expression {
        guard let first = items.first else {
            fail(
                pointer, "anything-but needs at least one value to exclude, found an empty list",
                hint: #"write {"anything-but": ["stopped"]}"#)
            return .invalid
        }
        var strings: [String] = []
        var numbers: Set<Double> = []
        var valid = true
        for (index, item) in items.enumerated() {
            let here = pointer.appending(index: index)
            switch item {
            case .string(let string):
                strings.append(string)
            case .number(let number):
                if checkComparable(number, at: here) {
                    numbers.insert(number.value == 0 ? 0 : number.value)
                } else {
                    valid = false
                }
            default:
                fail(
                    here, "anything-but lists hold strings or numbers, not \(Self.describe(item))",
                    hint: #"list only strings (["stopped", "failed"]) or only numbers ([100, 200])"#)
                valid = false
            }
        }
        if !strings.isEmpty, !numbers.isEmpty {
            let firstIsString = if case .string = first { true } else { false }
            let mixed = items.firstIndex { item in
                if case .string = item { return !firstIsString }
                if case .number = item { return firstIsString }
                return false
            }
            fail(
                pointer.appending(index: mixed ?? 0),
                "anything-but lists must be all strings or all numbers, but this one mixes them",
                hint: "keep the type your events carry: the string \"5\" and the number 5 are different values")
            valid = false
        }
        guard valid else { return .invalid }
        return .matcher(.anythingBut(strings.isEmpty ? .numbers(numbers) : .strings(StringSet(strings))))
    }

    private mutating func anythingButOperator(_ object: JSONObject, at pointer: JSONPointer) -> Expression {
        guard let inner = object.members.first else {
            fail(
                pointer, "anything-but with an object needs one operator inside, found none",
                hint: #"write {"anything-but": {"prefix": "test-"}}"#)
            return .invalid
        }
        if object.count > 1 {
            fail(
                pointer.appending(key: object.members[1].key),
                "anything-but takes one operator inside its object, found \(object.count)",
                hint: #"list several values in one operator instead: {"anything-but": {"prefix": ["a", "b"]}}"#, subject: .key)
            return .invalid
        }
        let here = pointer.appending(key: inner.key)
        guard Self.negatableOperators.contains(inner.key) else {
            let hint =
                switch inner.key {
                case "numeric":
                    #"match the ranges outside instead: [{"numeric": ["<", 0]}, {"numeric": [">", 5]}]"#
                case "cidr":
                    #"list the addresses to exclude as plain strings: {"anything-but": ["10.0.0.1"]}"#
                case "exists":
                    #"use [{"exists": false}] to match events without the field"#
                case "anything-but":
                    "anything-but cannot be nested; list the values you want to match instead"
                default:
                    if let close = Suggestion.closest(to: inner.key, among: Self.negatableOperators) {
                        "did you mean \"\(close)\"?"
                    } else {
                        "use prefix, suffix, equals-ignore-case or wildcard"
                    }
                }
            fail(
                here,
                "anything-but cannot contain \"\(inner.key)\"; it accepts prefix, suffix, equals-ignore-case or wildcard",
                hint: hint, subject: .key)
            return .invalid
        }

        var operands: [(text: String, pointer: JSONPointer)] = []
        switch inner.value {
        case .string(let string):
            operands = [(string, here)]
        case .array(let items) where !items.isEmpty:
            for (index, item) in items.enumerated() {
                guard case .string(let string) = item else {
                    fail(
                        here.appending(index: index),
                        "\(inner.key) inside anything-but takes strings, not \(Self.describe(item))",
                        hint: "write {\"anything-but\": {\"\(inner.key)\": [\"a\", \"b\"]}}")
                    return .invalid
                }
                operands.append((string, here.appending(index: index)))
            }
        case .array:
            fail(
                here, "\(inner.key) inside anything-but needs at least one value, found an empty list",
                hint: "write {\"anything-but\": {\"\(inner.key)\": [\"a\", \"b\"]}}")
            return .invalid
        default:
            fail(
                here, "\(inner.key) inside anything-but needs a string or a list of strings, not \(Self.describe(inner.value))",
                hint: "write {\"anything-but\": {\"\(inner.key)\": \"abc\"}}")
            return .invalid
        }

        switch inner.key {
        case "prefix", "suffix":
            for operand in operands where operand.text.isEmpty {
                fail(
                    operand.pointer, "an empty \(inner.key) inside anything-but would exclude every string, "
                        + "and EventBridge refuses it",
                    hint: "give the \(inner.key) to exclude, e.g. {\"anything-but\": {\"\(inner.key)\": \"test-\"}}")
                return .invalid
            }
            let bytes = operands.map { Array($0.text.utf8) }
            return .matcher(.anythingBut(inner.key == "prefix" ? .prefixes(bytes) : .suffixes(bytes)))
        case "equals-ignore-case":
            return .matcher(.anythingBut(.equalsIgnoringCase(operands.map { CaseInsensitiveText($0.text) })))
        default:
            var patterns: [WildcardPattern] = []
            for operand in operands {
                guard let pattern = wildcard(.string(operand.text), at: operand.pointer, operatorName: "wildcard") else {
                    return .invalid
                }
                patterns.append(pattern)
            }
            return .matcher(.anythingBut(.wildcards(patterns)))
        }
    }

    private mutating func numeric(_ value: JSONValue, at pointer: JSONPointer) -> Expression {
        guard case .array(let items) = value else {
            let hint =
                if case .number(let number) = value {
                    "write {\"numeric\": [\"=\", \(number.literal)]}, or the number itself: [\(number.literal)]"
                } else {
                    #"write e.g. {"numeric": [">", 0, "<=", 5]}"#
                }
            fail(pointer, "numeric needs a list such as [\">\", 0, \"<=\", 5], not \(Self.describe(value))", hint: hint)
            return .invalid
        }
        guard let firstItem = items.first else {
            fail(
                pointer, "numeric needs at least one comparison, found an empty list",
                hint: #"write e.g. [">", 0] or [">", 0, "<=", 5]"#)
            return .invalid
        }
        guard let first = comparison(firstItem, at: pointer.appending(index: 0)) else { return .invalid }
        guard items.count >= 2 else {
            fail(pointer.appending(index: 0), "\"\(first)\" needs a number after it", hint: "write [\"\(first)\", 10]")
            return .invalid
        }
        guard let bound = threshold(items[1], after: first, at: pointer.appending(index: 1)) else { return .invalid }

        switch first {
        case "=":
            guard items.count == 2 else {
                fail(
                    pointer.appending(index: 2), "\"=\" compares with one number, so nothing may follow it",
                    hint: #"to accept several numbers, list them: [100, 200] or [{"numeric": ["=", 1]}, {"numeric": ["=", 2]}]"#)
                return .invalid
            }
            return .matcher(.numeric(.equal(to: bound.value)))
        case "<", "<=":
            guard items.count == 2 else {
                fail(
                    pointer.appending(index: 2), "a numeric expression that starts with \"\(first)\" must end there",
                    hint: #"write the lower bound first, e.g. [">", 0, "<", 10]"#)
                return .invalid
            }
            return .matcher(
                .numeric(NumericComparison(lower: nil, lowerInclusive: false, upper: bound.value, upperInclusive: first == "<=")))
        default:
            let lowerInclusive = first == ">="
            guard items.count > 2 else {
                return .matcher(
                    .numeric(
                        NumericComparison(
                            lower: bound.value, lowerInclusive: lowerInclusive, upper: nil, upperInclusive: false)))
            }
            guard let second = comparison(items[2], at: pointer.appending(index: 2)) else { return .invalid }
            guard second == "<" || second == "<=" else {
                fail(
                    pointer.appending(index: 2),
                    "after the lower bound \"\(first)\" a range needs an upper bound \"<\" or \"<=\", not \"\(second)\"",
                    hint: #"write e.g. [">", 0, "<=", 5]"#)
                return .invalid
            }
            guard items.count >= 4 else {
                fail(
                    pointer.appending(index: 2), "\"\(second)\" needs a number after it",
                    hint: "write [\"\(first)\", \(bound.literal), \"\(second)\", 10]")
                return .invalid
            }
            guard let top = threshold(items[3], after: second, at: pointer.appending(index: 3)) else { return .invalid }
            guard items.count == 4 else {
                fail(
                    pointer.appending(index: 4), "a numeric range has at most two comparisons",
                    hint: #"write [">", 0, "<=", 5]; to accept several ranges, give each its own {"numeric": …} object"#)
                return .invalid
            }
            guard bound.value < top.value else {
                fail(
                    pointer,
                    "numeric range needs a lower bound below its upper bound "
                        + "(\(bound.literal) is not below \(top.literal))",
                    hint: "write the smaller number after \"\(first)\", "
                        + "e.g. [\"\(first)\", \(top.literal), \"\(second)\", \(bound.literal)]")
                return .invalid
            }
            return .matcher(
                .numeric(
                    NumericComparison(
                        lower: bound.value, lowerInclusive: lowerInclusive, upper: top.value, upperInclusive: second == "<=")))
        }
    }

    private mutating func comparison(_ item: JSONValue, at pointer: JSONPointer) -> String? {
        guard case .string(let name) = item else {
            fail(
                pointer, "expected a comparison (=, <, <=, >, >=) here, not \(Self.describe(item))",
                hint: #"numeric lists alternate comparisons and numbers: [">", 0, "<=", 5]"#)
            return nil
        }
        guard Self.comparisons.contains(name) else {
            let hint =
                switch name.lowercased() {
                case "==", "eq": #"use "=""#
                case "=>", "ge", "gte": #"use ">=""#
                case "=<", "le", "lte": #"use "<=""#
                case "gt": #"use ">""#
                case "lt": #"use "<""#
                case "!=", "<>", "ne": #"numeric has no not-equal; use {"anything-but": [5]} for numbers"#
                default: "use one of =, <, <=, >, >="
                }
            fail(pointer, "unknown numeric comparison \"\(name)\"", hint: hint)
            return nil
        }
        return name
    }

    private mutating func threshold(_ item: JSONValue, after comparison: String, at pointer: JSONPointer) -> JSONNumber? {
        guard case .number(let number) = item else {
            let hint =
                if case .string(let text) = item, let parsed = Double(text), parsed.isFinite {
                    "write the number without quotes: [\"\(comparison)\", \(text)]"
                } else {
                    "write e.g. [\"\(comparison)\", 10]"
                }
            fail(pointer, "\"\(comparison)\" needs a number after it, not \(Self.describe(item))", hint: hint)
            return nil
        }
        return checkComparable(number, at: pointer) ? number : nil
    }

    /// EventBridge compares numbers as doubles and refuses one a double cannot hold exactly
    /// (an integer literal that would be rounded) or at all (overflow).
    private mutating func checkComparable(_ number: JSONNumber, at pointer: JSONPointer) -> Bool {
        guard number.value.isFinite, Self.integerLiteralIsExact(number) else {
            fail(
                pointer, "\(number.literal) cannot be compared exactly: a double cannot hold it",
                hint: "use a number with at most 15 significant digits (integers up to 9007199254740992)")
            return false
        }
        return true
    }

    private static func integerLiteralIsExact(_ number: JSONNumber) -> Bool {
        var digits = Substring(number.literal)
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return true }
        digits = digits.drop { $0 == "0" }
        if digits.count <= 15 { return true }
        guard let exact = UInt128(exactly: number.value.magnitude) else { return false }
        return String(exact) == digits
    }

    private mutating func cidr(_ value: JSONValue, at pointer: JSONPointer) -> Expression {
        guard case .string(let text) = value else {
            fail(
                pointer, "cidr needs a string such as \"10.0.0.0/24\", not \(Self.describe(value))",
                hint: #"write {"cidr": "10.0.0.0/24"}"#)
            return .invalid
        }
        let block: CIDRBlock
        do {
            block = try CIDRBlock(text)
        } catch {
            switch error {
            case .missingSlash:
                fail(
                    pointer, "\"\(text)\" is not a CIDR block: it needs one slash followed by a prefix length",
                    hint: "write e.g. \"10.0.0.0/24\"; to match one address, list it as a plain value: [\"\(text)\"]")
            case .prefixNotInteger(let length):
                fail(
                    pointer, "the prefix length \"\(length)\" in \"\(text)\" is not a whole number",
                    hint: #"write e.g. "10.0.0.0/24""#)
            case .negativePrefix:
                fail(pointer, "the prefix length in \"\(text)\" is negative", hint: #"write e.g. "10.0.0.0/24""#)
            case .notAnAddress(let address):
                fail(
                    pointer, "\"\(address)\" in \"\(text)\" is not an IPv4 or IPv6 address",
                    hint: #"write four decimal octets ("192.168.0.0/16") or IPv6 hex groups ("2001:db8::/32")"#)
            case .prefixTooLong(let family, let length):
                let (name, limit) = family == .v4 ? ("IPv4", 32) : ("IPv6", 128)
                let address = text.split(separator: "/").first.map(String.init) ?? text
                fail(
                    pointer, "EventBridge needs an \(name) prefix length below \(limit), found /\(length)",
                    hint: "to match a single address, list it as a plain value: [\"\(address)\"]; otherwise use a shorter prefix")
            }
            return .invalid
        }
        return .matcher(.cidr(block))
    }

    // MARK: - Describing values in messages

    /// `the string "abc"`, `the number 5`, `a list`, … for messages.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let bool): "the boolean \(bool)"
        case .number(let number): "the number \(number.literal)"
        case .string(let string): "the string \(jsonText(.string(string)))"
        case .array: "a list"
        case .object: "an object"
        }
    }

    /// A scalar as JSON text (long strings shortened); lists and objects as `[…]` / `{…}`.
    static func jsonText(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let bool): return String(bool)
        case .number(let number): return number.literal
        case .array: return "[…]"
        case .object: return "{…}"
        case .string(let string):
            var out = "\""
            for (count, character) in string.enumerated() {
                if count == 40 {
                    out += "…"
                    break
                }
                switch character {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                default: out.append(character)
                }
            }
            return out + "\""
        }
    }

    // MARK: - $or expansion

    private struct DraftObject {
        var keys: [String] = []
        var values: [DraftValue] = []
    }

    private indirect enum DraftValue {
        case leaf(LeafTest)
        case object(DraftObject)
    }

    private struct Alternative {
        var root = DraftObject()
        var unsatisfiable = false
    }

    private static func expand(_ syntax: SyntaxObject, path: [String], into alternatives: inout [Alternative]) {
        for member in syntax.members {
            switch member {
            case .field(let key, .leaf(let leaf)):
                let fieldPath = path + [key]
                for index in alternatives.indices where !write(leaf, at: fieldPath[...], into: &alternatives[index].root) {
                    alternatives[index].unsatisfiable = true
                }
            case .field(let key, .object(let child)):
                expand(child, path: path + [key], into: &alternatives)
            case .or(let members, _):
                let before = alternatives
                var after: [Alternative] = []
                for member in members {
                    var forked = before
                    expand(member, path: path, into: &forked)
                    after.append(contentsOf: forked)
                }
                alternatives = after
            }
        }
    }

    /// Writes `leaf` at `path`, replacing a leaf already there. False if the path runs into a leaf
    /// on the way or ends on an object: no event can satisfy both constraints.
    private static func write(_ leaf: LeafTest, at path: ArraySlice<String>, into object: inout DraftObject) -> Bool {
        guard let key = path.first else { return true }
        let rest = path.dropFirst()
        guard let index = object.keys.firstIndex(of: key) else {
            object.keys.append(key)
            if rest.isEmpty {
                object.values.append(.leaf(leaf))
                return true
            }
            var child = DraftObject()
            let written = write(leaf, at: rest, into: &child)
            object.values.append(.object(child))
            return written
        }
        switch object.values[index] {
        case .leaf:
            guard rest.isEmpty else { return false }
            object.values[index] = .leaf(leaf)
            return true
        case .object(var child):
            guard !rest.isEmpty else { return false }
            let written = write(leaf, at: rest, into: &child)
            object.values[index] = .object(child)
            return written
        }
    }

    private static func node(from draft: DraftObject) -> PatternNode {
        PatternNode(
            keys: draft.keys,
            children: draft.values.map { value in
                switch value {
                case .leaf(let leaf): .leaf(leaf)
                case .object(let object): .object(node(from: object))
                }
            })
    }
}

extension Int {
    fileprivate func multipliedSaturating(by other: Int) -> Int {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? Int.max : product
    }
}
