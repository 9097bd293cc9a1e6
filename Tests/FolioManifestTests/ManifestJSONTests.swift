import Foundation
@testable import FolioManifest
import FolioModel
import Testing

/// `ManifestJSON` writes a manifest from its version files' bytes; what it writes must be
/// exactly what JSONEncoder writes for the same value, whatever the strings hold.
struct ManifestJSONTests {
    static let awkward = "quote \" backslash \\ slash / tab \t newline \n return \r form \u{0C} back \u{08} nul \u{00} unit \u{1F} del \u{7F} é 😀 \u{2028}"

    func prompt(_ name: String, version: Int, text: String, partials: [String: String] = [:]) -> ManifestPrompt {
        ManifestPrompt(
            name: name, version: version, blob: String(repeating: "a", count: 40),
            prompt: Prompt(
                name: name, description: text.isEmpty ? nil : "about \(text)",
                model: ModelSettings(provider: "openai", name: "gpt-4o-mini", temperature: 0.2, maxTokens: 300),
                variables: [PromptVariable(name: "ticket_text", type: .string, required: true)],
                messages: [PromptMessage(role: "system", content: "You triage. \(text)"), PromptMessage(role: "user", content: "{{ticket_text}}")],
                output: nil
            ), partials: partials)
    }

    func check(_ manifest: Manifest) throws {
        var entries: [String: ManifestJSON.Entry] = [:]
        for (name, prompt) in manifest.prompts {
            var file = prompt
            file.sha256 = nil
            file.promotion = nil
            entries[name] = ManifestJSON.Entry(versionFile: try JSONEncoder.folio.encode(file) + Data("\n".utf8), sha256: prompt.sha256!, promotion: prompt.promotion!)
        }
        var bare = manifest
        bare.prompts = [:]
        let spliced = try #require(ManifestJSON.encode(bare, entries: entries))
        let encoded = try JSONEncoder.folio.encode(manifest)
        #expect(String(decoding: spliced, as: UTF8.self) == String(decoding: encoded, as: UTF8.self))
        #expect(try JSONDecoder.folio.decode(Manifest.self, from: spliced) == JSONDecoder.folio.decode(Manifest.self, from: encoded))
        // The builder's way out when a version file cannot be spliced gives the same bytes.
        #expect(try ManifestBuilder.encodeDecoding(bare, entries: entries) == encoded)
    }

    func manifest(_ prompts: [ManifestPrompt], expires: Date?) -> Manifest {
        var byName: [String: ManifestPrompt] = [:]
        var files: [String: String] = [:]
        for (index, var prompt) in prompts.enumerated() {
            prompt.sha256 = String(repeating: "\(index % 10)", count: 64)
            prompt.promotion = ManifestPromotion(
                tag: "folio/production/\(index + 1)", sequence: index + 1, by: index == 0 ? Self.awkward : "Alice", email: "alice@example.com",
                at: Date(timeIntervalSince1970: 1_790_000_000 + Double(index) * 86_399.5), note: index == 1 ? Self.awkward : "release \(index)",
                replaces: index % 2 == 0 ? nil : index
            )
            byName[prompt.name] = prompt
            files[ManifestPrompt.path(name: prompt.name, version: prompt.version)] = prompt.sha256
            files[ManifestPrompt.path(name: prompt.name, version: prompt.version + 9)] = "old"
        }
        return Manifest(
            environment: "production", version: prompts.count, generatedAt: Date(timeIntervalSince1970: 1_790_000_000),
            expires: expires, source: ManifestSource(commit: String(repeating: "b", count: 40), tag: "folio/production/\(prompts.count)"),
            prompts: byName, versionFiles: files)
    }

    @Test func matchesJSONEncoderByteForByte() throws {
        let names = ["triage", "a-b", "a_b", "ab", "a0", "z", "billing-2", "billing-10"]
        let prompts = names.enumerated().map { index, name in
            prompt(name, version: index + 1, text: index == 0 ? Self.awkward : "plain \(index)", partials: index == 2 ? ["tone": Self.awkward, "b": "x"] : [:])
        }
        try check(manifest(prompts, expires: nil))
        try check(manifest(prompts, expires: Date(timeIntervalSince1970: 1_790_604_800.75)))
        try check(manifest([], expires: nil))
    }

    @Test func datesAreWrittenAsTheISO8601Strategy() throws {
        struct Box: Encodable { let date: Date }
        var generator = SystemRandomNumberGenerator()
        let samples = [0, 951_782_400, 951_868_799.999, 4_102_444_800, 1_709_164_800] + (0..<200).map { _ in Double.random(in: 0...4_000_000_000, using: &generator) }
        for seconds in samples {
            let date = Date(timeIntervalSince1970: seconds)
            let encoded = String(decoding: try JSONEncoder.folio.encode(Box(date: date)), as: UTF8.self)
            #expect(encoded.contains("\"\(ManifestJSON.date(date))\""), "\(seconds): \(encoded)")
        }
    }

    @Test func aVersionFileNotInEncoderFormIsRefused() {
        let promotion = ManifestPromotion(tag: "t", sequence: 1, by: "a", email: "e", at: Date(), note: "n", replaces: nil)
        let bare = manifest([], expires: nil)
        #expect(ManifestJSON.encode(bare, entries: ["x": .init(versionFile: Data("{\"name\":\"x\"}".utf8), sha256: "s", promotion: promotion)]) == nil)
    }

    @Test func gzipTrailerTellsWhetherACopyHoldsTheBytes() throws {
        let data = Data(Self.awkward.utf8)
        let compressed = try Gzip.compress(data)
        #expect(Gzip.holds(compressed, data))
        #expect(!Gzip.holds(compressed, data + Data("x".utf8)))
        #expect(!Gzip.holds(try Gzip.compress(Data("other".utf8)), data))
        #expect(!Gzip.holds(compressed.prefix(10), data))
        #expect(!Gzip.holds(nil, data))
    }
}
