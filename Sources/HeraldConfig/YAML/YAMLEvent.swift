/// One parser event, as Swift values (the libyaml wrapper translates its C events into these).
enum YAMLEvent: Hashable {
    case streamStart, streamEnd
    case documentStart, documentEnd
    case scalar(text: String, style: YAMLScalar.Style, anchor: String?, tag: String?)
    case alias(anchor: String)
    case sequenceStart(anchor: String?, tag: String?)
    case sequenceEnd
    case mappingStart(anchor: String?, tag: String?)
    case mappingEnd
}
