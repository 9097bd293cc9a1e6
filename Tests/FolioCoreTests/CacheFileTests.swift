import FolioGit
import FolioModel
import FolioSigning
import Foundation
import Testing

@testable import FolioCore

/// The caches in .git/folio only save time: what goes in comes back out, and a file of
/// another format, or none, or a line that does not decode, is simply not there.
struct CacheFileTests {
    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("folio-cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    struct Thing: Codable, Equatable {
        struct Nested: Codable, Equatable {
            var label: String
            var count: Int64
        }

        var name: String
        var note: String?
        var number: Int
        var large: UInt64
        var flag: Bool
        var nested: Nested?
        var list: [String]
        var id: ObjectID
        var pairs: [Nested]
    }

    static let id = ObjectID(hex: String(repeating: "ab", count: 20))!

    static let things: [Thing] = {
        let key = String(repeating: "ssh-ed25519 AAAA", count: 3)
        return [
            Thing(
                name: "tab\there", note: "line\nbreak", number: -3, large: .max, flag: true, nested: .init(label: "back\\slash", count: 7),
                list: ["\\t literally", "", "é😀", key], id: id, pairs: []),
            // nil and the empty string are different; so are nil and the text `\N`.
            Thing(name: "", note: nil, number: 0, large: 0, flag: false, nested: nil, list: [], id: id, pairs: [.init(label: "\\N", count: 1)]),
            Thing(name: "\\N", note: "", number: 1, large: 1, flag: false, nested: nil, list: ["\r\n"], id: id, pairs: [.init(label: "", count: 0), .init(label: key, count: -1)]),
            // Kilobytes of escaped text (a version file), escapes next to each other and last.
            Thing(
                name: String(repeating: "{\n  \"a\" : \"b\\c\"\t\r\n}", count: 500), note: "\\\\\t\n", number: 2, large: 2, flag: true, nested: nil,
                list: ["ends in \\"], id: id, pairs: []),
        ]
    }()

    @Test func recordsComeBackAsTheyWent() throws {
        let git = try folder()
        defer { try? FileManager.default.removeItem(at: git) }
        let cache = CacheFile(gitDirectory: git.path, name: "things", format: 1)
        #expect(cache.load(Thing.self).isEmpty)
        #expect(!cache.hasHeader)
        cache.save(Self.things)
        #expect(cache.hasHeader)
        #expect(cache.load(Thing.self) == Self.things)
        #expect(String(decoding: try Data(contentsOf: cache.url), as: UTF8.self).hasPrefix("folio-cache/2 things/1\n"))
        // Another format of the same cache, or another record type, reads nothing.
        #expect(CacheFile(gitDirectory: git.path, name: "things", format: 2).load(Thing.self).isEmpty)
        #expect(!CacheFile(gitDirectory: git.path, name: "things", format: 2).hasHeader)
        #expect(cache.load(PromotionCache.Record.self).isEmpty)
        // Appended records follow.
        cache.append([Self.things[1]])
        #expect(cache.load(Thing.self) == Self.things + [Self.things[1]])
    }

    @Test func aLineThatDoesNotDecodeIsNotThere() throws {
        let git = try folder()
        defer { try? FileManager.default.removeItem(at: git) }
        let cache = CacheFile(gitDirectory: git.path, name: "things", format: 1)
        cache.save([Self.things[0]])
        let whole = try Data(contentsOf: cache.url)
        let line = String(decoding: whole, as: UTF8.self).split(separator: "\n")[1]
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
        // A line cut short at any field (a crash mid-append), one with a field too many, one
        // with a number that is not one, and one with a null where text must be: all dropped.
        var bad: [String] = (1..<fields.count).map { fields.prefix($0).joined(separator: "\t") }
        bad.append(line + "\textra")
        bad.append(line.replacingOccurrences(of: "\t-3\t", with: "\tminus three\t"))
        bad.append("\\N" + line.drop { $0 != "\t" })
        for text in bad {
            try (String(decoding: whole, as: UTF8.self) + text + "\n").write(to: cache.url, atomically: true, encoding: .utf8)
            #expect(cache.load(Thing.self) == [Self.things[0]], "\(text.prefix(80))")
        }
        try Data("garbage\u{0}\n\u{FF}".utf8).write(to: cache.url)
        #expect(cache.load(Thing.self).isEmpty)
    }

    /// Every cache's record, through a file: decoding reads the fields in the order
    /// encoding wrote them.
    @Test func everyCachesRecordRoundTrips() throws {
        let git = try folder()
        defer { try? FileManager.default.removeItem(at: git) }
        func roundTrip<Record: Codable>(_ record: Record) throws -> Record {
            let file = CacheFile(gitDirectory: git.path, name: "check", format: 1)
            file.save([record])
            let loaded = try #require(file.load(Record.self).first)
            #expect(try CacheFields.encode(loaded) == CacheFields.encode(record))
            return loaded
        }
        let other = ObjectID(hex: String(repeating: "12", count: 20))!
        let tagger = PromotionCache.Record.Tagger(name: "Ada", email: "ada@example.com", seconds: 1_700_000_000, offsetMinutes: -300)
        for tagger in [tagger, nil] {
            let record = PromotionCache.Record(
                tag: Self.id, key: "ssh-ed25519 AAAA", headerName: "folio/production/1", objectType: "commit", target: other, tagger: tagger,
                subject: "promote", note: "why\nand how", trailerValues: ["triage@1 blob=\(other.hex)", "summary@2 blob=\(other.hex)"])
            let loaded = try roundTrip(record)
            #expect(loaded.tagger?.email == tagger?.email)
            #expect(loaded.trailerValues == record.trailerValues)
        }
        let version = PromptVersion(number: 3, blob: Self.id, commit: other, author: "Ada", authorEmail: "ada@example.com", date: Date(timeIntervalSince1970: 1_700_000_000), subject: "Fix")
        #expect(try roundTrip(PromptRepository.VersionRecord(tip: other, name: "triage", version: version)).version == version)
        let file = VersionFileCache.Record(key: .init(blob: Self.id, commit: other, name: "triage", version: 3), sha256: "abc", bytes: Data("{\n\t\"a\": 1\n}".utf8))
        #expect(try roundTrip(file).text == "{\n\t\"a\": 1\n}")
        let stamp = try #require(WrittenFiles.Stamp(path: git.path + "/folio/check"))
        #expect(try roundTrip(WrittenFiles.Line(path: "prompts/a/1.json", digest: "abc", stamp: stamp)).stamp == stamp)
        #expect(try roundTrip(WrittenFiles.Line(path: "x", digest: "y", stamp: .smudged)).stamp == .smudged)
        #expect(try roundTrip(OutputFolders.Owner(file: "build-1", folder: "/tmp/dist")).folder == "/tmp/dist")
        for signers in [other, nil] {
            let manifest = Manifest(
                environment: "production", version: 4, generatedAt: Date(timeIntervalSince1970: 1_700_000_000), expires: nil,
                source: ManifestSource(commit: other.hex, tag: "folio/production/4"), prompts: [:], versionFiles: ["prompts/a/1.json": "abc", "prompts/b/2.json": "def"])
            let snapshot = BuildSnapshot(
                checkpoint: LogCheckpoint(mainTip: Self.id, signersBlob: signers, lastSequence: 4, digest: "d"), manifestDigest: "m", manifest: manifest,
                entries: [("a", 10..<20), ("b", 20..<35)])
            let snapshotFile = CacheFile(gitDirectory: git.path, name: "build-check", format: 1)
            snapshot.save(to: snapshotFile)
            let loaded = try #require(BuildSnapshot.load(from: snapshotFile))
            #expect(loaded.checkpoint == snapshot.checkpoint)
            #expect(loaded.versionFiles == manifest.versionFiles)
            #expect(loaded.entries.map(\.name) == ["a", "b"] && loaded.entries.map(\.range) == [10..<20, 20..<35])
            #expect(loaded.source == manifest.source && loaded.generatedAt == manifest.generatedAt && loaded.version == 4)
        }
    }
}
