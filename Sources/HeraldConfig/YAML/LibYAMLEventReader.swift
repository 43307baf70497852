internal import CYAML

/// The only place libyaml's C types appear: runs its event parser over the source and hands
/// each event on as a ``YAMLEvent``.
enum LibYAMLEventReader {
    static func read(
        _ source: YAMLSource,
        _ body: (YAMLEvent, SourceMark, SourceMark) throws(YAMLError) -> Void
    ) throws(YAMLError) {
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) != 0 else {
            throw YAMLError(mark: SourceMark(line: 1, column: 1), message: "out of memory while reading YAML", hint: "try again")
        }
        defer { yaml_parser_delete(parser) }
        // libyaml reads the input in place, so the buffer must outlive every parse call.
        try source.bytes.withUnsafeBufferPointer { (buffer) throws(YAMLError) -> Void in
            guard let base = buffer.baseAddress else { return }
            yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(parser, base, buffer.count)
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(parser, &event) != 0 else {
                    throw problem(of: parser.pointee).error(in: source)
                }
                defer { yaml_event_delete(&event) }
                let isEnd = event.type == YAML_STREAM_END_EVENT
                if let translated = translate(event) {
                    try body(translated, mark(event.start_mark), mark(event.end_mark))
                }
                if isEnd { return }
            }
        }
    }

    private static func translate(_ event: yaml_event_t) -> YAMLEvent? {
        switch event.type {
        case YAML_STREAM_START_EVENT:
            return .streamStart
        case YAML_STREAM_END_EVENT:
            return .streamEnd
        case YAML_DOCUMENT_START_EVENT:
            return .documentStart
        case YAML_DOCUMENT_END_EVENT:
            return .documentEnd
        case YAML_ALIAS_EVENT:
            return .alias(anchor: string(event.data.alias.anchor) ?? "")
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text = scalar.value.map {
                String(decoding: UnsafeBufferPointer(start: $0, count: scalar.length), as: UTF8.self)
            } ?? ""
            return .scalar(text: text, style: style(scalar.style), anchor: string(scalar.anchor), tag: string(scalar.tag))
        case YAML_SEQUENCE_START_EVENT:
            let start = event.data.sequence_start
            return .sequenceStart(anchor: string(start.anchor), tag: string(start.tag))
        case YAML_SEQUENCE_END_EVENT:
            return .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            let start = event.data.mapping_start
            return .mappingStart(anchor: string(start.anchor), tag: string(start.tag))
        case YAML_MAPPING_END_EVENT:
            return .mappingEnd
        default:
            return nil
        }
    }

    private static func style(_ style: yaml_scalar_style_t) -> YAMLScalar.Style {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: .literal
        case YAML_FOLDED_SCALAR_STYLE: .folded
        default: .plain
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    /// libyaml marks are 0-based and count characters.
    private static func mark(_ mark: yaml_mark_t) -> SourceMark {
        SourceMark(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    private static func problem(of parser: yaml_parser_t) -> YAMLSyntaxProblem {
        let stage: YAMLSyntaxProblem.Stage =
            switch parser.error {
            case YAML_MEMORY_ERROR: .memory
            case YAML_READER_ERROR: .reader
            case YAML_SCANNER_ERROR: .scanner
            case YAML_PARSER_ERROR: .parser
            default: .other
            }
        return YAMLSyntaxProblem(
            stage: stage,
            problem: parser.problem.map { String(cString: $0) } ?? "invalid YAML",
            problemMark: mark(parser.problem_mark),
            context: parser.context.map { String(cString: $0) },
            contextMark: mark(parser.context_mark),
            byteOffset: Int(parser.problem_offset)
        )
    }
}
