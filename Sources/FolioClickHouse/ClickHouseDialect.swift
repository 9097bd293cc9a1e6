import FolioTelemetry

/// The dialect table (`Dialect`, `ContentEvent`) as ClickHouse expressions over a span's
/// `SpanAttributes` (`a`), its events and its content log records: what `GenAISpan` reads,
/// written once more in SQL from the same table, so a new dialect entry reaches both. The
/// message parsing follows `Messages` for JSON, flattened attributes and bare text; a
/// Python repr (`str(messages)`) of an output is taken as text (Folio parses it).
enum ClickHouseDialect {
    /// The first attribute that names `field`, in dialect order; NULL when none does.
    static func field(_ field: CallField, in map: String = "a") -> String {
        let names = Dialect.names(of: field)
        guard !names.isEmpty else { return "CAST(NULL, 'Nullable(String)')" }
        let pairs = names.map { "mapContains(\(map), \(literal($0))), \(map)[\(literal($0))]" }
        return "multiIf(\(pairs.joined(separator: ", ")), CAST(NULL, 'Nullable(String)'))"
    }

    /// Whether any attribute belongs to a dialect (`GenAISpan.isGenAIAttribute`).
    static let touchesDialect =
        "arrayExists(k -> startsWith(k, 'gen_ai.') OR startsWith(k, 'traceloop.') OR startsWith(k, 'langfuse.') OR startsWith(k, 'llm.') OR k = 'openinference.span.kind', mapKeys(a))"

    /// A field or marker that makes a span a call (`GenAISpan.hasCallFields`).
    static var hasCallFields: String {
        let fields: [CallField] = [.operation, .requestModel, .responseModel, .inputTokens, .outputTokens, .usageObject]
        let present = fields.flatMap(Dialect.names(of:)).map { "mapContains(a, \(literal($0)))" }
        let markers = Dialect.all.flatMap(\.callMarkers).map { "lowerUTF8(a[\(literal($0.attribute))]) = \(literal($0.value.lowercased()))" }
        return "(" + (present + markers).joined(separator: " OR ") + ")"
    }

    /// An integer the way `GenAISpan.integer` reads one: `30`, or `30.0`.
    static func integer(_ text: String) -> String {
        "ifNull(toInt64OrNull(\(text)), toInt64OrNull(toString(round(toFloat64OrNull(\(text))))))"
    }

    /// The token counts: their attribute, else the usage object's keys.
    static func tokens(_ field: CallField, keys: [String]) -> String {
        let usage = self.field(.usageObject)
        let fromUsage = keys.map { "JSONExtract(ifNull(\(usage), ''), \(literal($0)), 'Nullable(Int64)')" }
        return "coalesce(\(integer(self.field(field))), \(fromUsage.joined(separator: ", ")))"
    }

    // MARK: - Messages

    /// The text of one message (raw JSON of a list item), as `Messages.items` reads it.
    static func itemText(_ item: String, depth: Int = 0) -> String {
        let message = depth < 1 ? "if(JSONHas(\(item), 'message'), \(itemText("JSONExtractRaw(\(item), 'message')", depth: depth + 1)), '')" : "''"
        return """
            multiIf(JSONType(\(item)) = 'String', JSONExtractString(\(item)), \
            JSONHas(\(item), 'parts'), \(textParts("JSONExtractArrayRaw(\(item), 'parts')", key: "content")), \
            JSONType(\(item), 'content') = 'String', JSONExtractString(\(item), 'content'), \
            JSONType(\(item), 'content') = 'Array', \(textParts("JSONExtractArrayRaw(\(item), 'content')", key: "text")), \
            JSONType(\(item), 'content') = 'Null', \(message), \
            JSONExtractRaw(\(item), 'content'))
            """
    }

    /// Parts `[{"type": "text", key: …}]` (or bare strings) joined by newlines.
    static func textParts(_ parts: String, key: String) -> String {
        """
        arrayStringConcat(arrayMap(p -> if(JSONType(p) = 'String', JSONExtractString(p), \
        multiIf(JSONType(p, \(literal(key))) = 'String', JSONExtractString(p, \(literal(key))), JSONType(p, 'content') = 'String', JSONExtractString(p, 'content'), JSONExtractString(p, 'text'))), \
        arrayFilter(p -> JSONType(p) = 'String' OR (JSONType(p) = 'Object' AND JSONExtractString(p, 'type') IN ('', 'text') AND (JSONType(p, \(literal(key))) = 'String' OR JSONType(p, 'content') = 'String' OR JSONType(p, 'text') = 'String')), \(parts))), '\\n')
        """
    }

    /// The contents of the messages in one attribute's text (`Messages.parse`): JSON (a list
    /// or one message), else the text itself as one message.
    static func parsed(_ text: String) -> String {
        """
        if(match(\(text), '^\\\\s*[\\\\[{]') AND isValidJSON(\(text)), \
        arrayMap(m -> \(itemText("m")), arrayFilter(m -> JSONType(m) IN ('String', 'Object'), if(JSONType(\(text)) = 'Array', JSONExtractArrayRaw(\(text)), [\(text)]))), \
        if(\(text) = '', CAST([], 'Array(String)'), [\(text)]))
        """
    }

    /// One text part in one message, as the conventions' instrumentations write an answer:
    /// `[{"role": "assistant", "parts": [{"type": "text", "content": "…"}], "finish_reason":
    /// "stop"}]`, compact or with Python's `json.dumps` separators, and content with no
    /// escape or control character, so that the captured text is the content itself.
    static let oneTextPart: String = {
        let word = #""[a-z_]*""#
        return #"^\[\{(?:"role": ?"# + word + #", ?)?"parts": ?\[\{"type": ?"text", ?"content": ?"([^"\\\x00-\x1f]*)"\}\]"#
            + #"(?:, ?"finish_reason": ?"# + word + #")?\}\]$"#
    }()

    /// The contents of a messages attribute (`parsed`), with the common answer of one text
    /// part taken by one regular expression: the general expression parses the JSON again
    /// for every test it makes (1.24 s for 1M answers, against 0.25 s; 0.15 s reads them).
    static func messages(_ text: String) -> String {
        "if(match(\(text), \(literal(oneTextPart))), [extract(\(text), \(literal(oneTextPart)))], \(parsed(text)))"
    }

    /// A response (`Messages.response`): OpenAI's `choices`, one `{"content"}` object, or
    /// messages.
    static func response(_ text: String) -> String {
        """
        multiIf(isValidJSON(\(text)) AND JSONType(\(text), 'choices') = 'Array', \
        arrayMap(c -> if(JSONHas(c, 'message'), \(itemText("JSONExtractRaw(c, 'message')")), JSONExtractString(c, 'text')), \
        arrayFilter(c -> JSONHas(c, 'message') OR JSONType(c, 'text') = 'String', JSONExtractArrayRaw(\(text), 'choices'))), \
        isValidJSON(\(text)) AND JSONType(\(text)) = 'Object' AND JSONHas(\(text), 'content'), [\(itemText(text))], \
        \(parsed(text)))
        """
    }

    /// Flattened messages `<prefix>.<i>.<content>`, i = 0, 1, … while present (a map of n
    /// keys misses one of 0…n, so the count has no cap). The count looks up every key, so it
    /// runs only where the first is there: unguarded, the two flattened dialects took 10 of
    /// the report's 14 s at 1M calls that have none.
    static func flattened(prefix: String, content: String, map: String) -> String {
        let key = "concat(\(literal(prefix + ".")), toString(i), \(literal("." + content)))"
        let count = "toUInt64(arrayFirstIndex(i -> NOT mapContains(\(map), \(key)), range(length(\(map)) + 1)) - 1)"
        return "if(mapContains(\(map), \(literal("\(prefix).0.\(content)"))), arrayMap(i -> \(map)[\(key)], range(\(count))), CAST([], 'Array(String)'))"
    }

    /// The contents of the first source that has any message, in dialect order.
    static func contents(_ sources: [MessageSource], map: String) -> String {
        var choices: [String] = []
        for source in sources {
            switch source {
            case .messages(let name): choices.append("if(mapContains(\(map), \(literal(name))), \(messages("\(map)[\(literal(name))]")), CAST([], 'Array(String)'))")
            case .flattened(let prefix, _, let content): choices.append(flattened(prefix: prefix, content: content, map: map))
            case .response(let name): choices.append("if(mapContains(\(map), \(literal(name))), \(response("\(map)[\(literal(name))]")), CAST([], 'Array(String)'))")
            case .request(let name):
                choices.append(
                    "if(isValidJSON(\(map)[\(literal(name))]) AND JSONType(\(map)[\(literal(name))], 'messages') = 'Array', arrayMap(m -> \(itemText("m")), arrayFilter(m -> JSONType(m) IN ('String', 'Object'), JSONExtractArrayRaw(\(map)[\(literal(name))], 'messages'))), CAST([], 'Array(String)'))"
                )
            }
        }
        guard !choices.isEmpty else { return "CAST([], 'Array(String)')" }
        return "arrayFirst(x -> length(x) > 0, [\(choices.joined(separator: ", "))])"
    }

    /// The span's own output: the first output source with a message, its non-empty
    /// contents joined by newlines; NULL when there is none.
    static var ownOutput: String {
        "nullIf(arrayStringConcat(arrayFilter(x -> x != '', \(contents(Dialect.all.flatMap(\.output), map: "a"))), '\\n'), '')"
    }

    /// Whether the span has any input or output message (`GenAISpan.isCall`'s last test).
    static var hasMessages: String {
        "(\(anyMessage(Dialect.all.flatMap(\.input), map: "a")) OR \(anyMessage(Dialect.all.flatMap(\.output), map: "a")))"
    }

    /// Whether any source has a message: what `length(contents(sources)) > 0` says, without
    /// taking the texts out (a much smaller expression for ClickHouse to analyse).
    static func anyMessage(_ sources: [MessageSource], map: String) -> String {
        func items(_ text: String) -> String {
            "arrayExists(m -> JSONType(m) IN ('String', 'Object'), if(JSONType(\(text)) = 'Array', JSONExtractArrayRaw(\(text)), [\(text)]))"
        }
        func parsedAny(_ text: String) -> String {
            "if(match(\(text), '^\\\\s*[\\\\[{]') AND isValidJSON(\(text)), \(items(text)), \(text) != '')"
        }
        var choices: [String] = []
        for source in sources {
            switch source {
            case .messages(let name):
                let text = "\(map)[\(literal(name))]"
                choices.append("(mapContains(\(map), \(literal(name))) AND \(parsedAny(text)))")
            case .flattened(let prefix, _, let content):
                choices.append("mapContains(\(map), \(literal(prefix + ".0." + content)))")
            case .response(let name):
                let text = "\(map)[\(literal(name))]"
                choices.append(
                    "(mapContains(\(map), \(literal(name))) AND multiIf(isValidJSON(\(text)) AND JSONType(\(text), 'choices') = 'Array', arrayExists(c -> JSONHas(c, 'message') OR JSONType(c, 'text') = 'String', JSONExtractArrayRaw(\(text), 'choices')), isValidJSON(\(text)) AND JSONType(\(text)) = 'Object' AND JSONHas(\(text), 'content'), 1, \(parsedAny(text))))"
                )
            case .request(let name):
                let text = "\(map)[\(literal(name))]"
                choices.append(
                    "(isValidJSON(\(text)) AND JSONType(\(text), 'messages') = 'Array' AND arrayExists(m -> JSONType(m) IN ('String', 'Object'), JSONExtractArrayRaw(\(text), 'messages')))")
            }
        }
        return choices.isEmpty ? "0" : "(" + choices.joined(separator: " OR ") + ")"
    }

    /// The names of events that carry output (`ContentEvent.table`).
    static var outputEventNames: [String] {
        ContentEvent.outputEventNames
    }

    /// The output in content events (`ContentEvent.messages(_, .output)`): `events` is an
    /// Array(Tuple(name String, body String, attributes Map)) in time order.
    static func eventOutput(_ events: String) -> String {
        let details = contents(Dialect.semanticConventions.output, map: "e.3")
        let choiceBody = "if(e.2 != '', e.2, toJSONString(e.3))"
        let choice = """
            if(match(\(choiceBody), '^\\\\s*[\\\\[{]') AND isValidJSON(\(choiceBody)), \
            arrayMap(m -> \(itemText("m")), arrayFilter(m -> JSONType(m) IN ('String', 'Object'), \
            if(JSONHas(\(choiceBody), 'message'), [JSONExtractRaw(\(choiceBody), 'message')], if(JSONType(\(choiceBody)) = 'Array', JSONExtractArrayRaw(\(choiceBody)), [\(choiceBody)])))), \
            if(e.2 = '', CAST([], 'Array(String)'), [e.2]))
            """
        let fallback = "if(mapContains(e.3, 'gen_ai.output.messages'), \(parsed("e.3['gen_ai.output.messages']")), CAST([], 'Array(String)'))"
        let perEvent = """
            multiIf(e.1 = 'gen_ai.client.inference.operation.details', \(details), \
            e.1 = 'gen_ai.choice', if(length(\(choice)) > 0, \(choice), \(fallback)), CAST([], 'Array(String)'))
            """
        return "nullIf(arrayStringConcat(arrayFilter(x -> x != '', arrayFlatten(arrayMap(e -> \(perEvent), \(events)))), '\\n'), '')"
    }

    /// A `gen_ai.evaluation.result` verdict among the span's events (`SpanMetrics.evaluation`).
    static let evaluation = """
        arrayFirst(v -> isNotNull(v), arrayMap((n, at) -> if(n != 'gen_ai.evaluation.result', CAST(NULL, 'Nullable(UInt8)'), \
        multiIf(lowerUTF8(if(mapContains(at, 'gen_ai.evaluation.score.label'), at['gen_ai.evaluation.score.label'], at['gen_ai.evaluation.label'])) IN ('pass', 'passed', 'correct', 'true', 'yes'), 1, \
        lowerUTF8(if(mapContains(at, 'gen_ai.evaluation.score.label'), at['gen_ai.evaluation.score.label'], at['gen_ai.evaluation.label'])) IN ('fail', 'failed', 'incorrect', 'false', 'no'), 0, CAST(NULL, 'Nullable(UInt8)'))), \
        event_names, event_attributes))
        """

    /// `SpanMetrics.normalized`: whitespace and punctuation trimmed from both ends, lowercased.
    static func normalized(_ text: String) -> String {
        let ignored = "[\\\\x{00}-\\\\x{2F}\\\\x{3A}-\\\\x{40}\\\\x{5B}-\\\\x{60}\\\\x{7B}-\\\\x{7E}\\\\x{85}\\\\p{Z}\\\\p{P}]"
        return "lowerUTF8(replaceRegexpAll(\(text), '^\(ignored)+|\(ignored)+$', ''))"
    }
}
