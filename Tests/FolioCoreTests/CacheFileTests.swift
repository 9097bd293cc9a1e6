import Foundation
@testable import FolioCore
import Testing

/// The caches in .git/folio only save time: what goes in comes back out, and a file of
/// another format, or none, is simply empty.
struct CacheFileTests {
    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("folio-cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func recordsComeBackAsTheyWent() throws {
        let git = try folder()
        defer { try? FileManager.default.removeItem(at: git) }
        let cache = CacheFile(gitDirectory: git.path, name: "things", format: 1)
        #expect(cache.load().isEmpty)
        let key = String(repeating: "ssh-ed25519 AAAA", count: 3)
        let records = [
            ["plain", "tab\there", "line\nbreak", "back\\slash", "\\t literally", "", "é😀", key],
            ["second", "", "", "\r\n", "x", "y", "z", key],
            [key, key, key],
            // Kilobytes of escaped text (a version file), escapes next to each other and last.
            [String(repeating: "{\n  \"a\" : \"b\\c\"\t\r\n}", count: 500), "\\\\\t\n", "ends in \\"],
        ]
        cache.save(records)
        #expect(cache.load() == records)
        #expect(CacheFile(gitDirectory: git.path, name: "things", format: 2).load().isEmpty)
        // Appended records follow; a line cut short (a crash mid-write) comes back as a
        // shorter record, which every cache's count check drops.
        cache.append([["third", "x\ty", "z"]])
        #expect(cache.load() == records + [["third", "x\ty", "z"]])
        let handle = try FileHandle(forWritingTo: cache.url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("fourth\tcut".utf8))
        try handle.close()
        #expect(cache.load().last == ["fourth", "cut"])
        try Data("garbage\u{0}\n\u{FF}".utf8).write(to: cache.url)
        #expect(cache.load().isEmpty)
    }
}
