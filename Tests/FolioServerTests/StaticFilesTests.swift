import Foundation
import Testing
@testable import FolioServer

/// `StaticFiles` checks every open, never a remembered verdict: a served file later
/// replaced by a symlink pointing out of the root is refused.
struct StaticFilesTests {
    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("folio-static-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url.appendingPathComponent("dist/prompts/x"), withIntermediateDirectories: true)
        return url
    }

    /// Past the time a file is trusted without `stat`.
    func waitPastRevalidation() {
        usleep(UInt32(StaticFiles.revalidateAfterNanoseconds / 1000) * 3)
    }

    @Test func aFileReplacedByASymlinkOutOfTheRootIsRefused() throws {
        let base = try folder()
        let root = base.appendingPathComponent("dist")
        let file = root.appendingPathComponent("prompts/x/1.json")
        let secret = base.appendingPathComponent("secret.txt")
        try Data("root:x:0:0\n".utf8).write(to: secret)
        try Data("{\"version\":1}\n".utf8).write(to: file)
        let files = StaticFiles(root: root)
        let served = try #require(files.file(atRequestPath: "/prompts/x/1.json"))
        #expect(String(buffer: served.body) == "{\"version\":1}\n")

        try FileManager.default.removeItem(at: file)
        try FileManager.default.createSymbolicLink(at: file, withDestinationURL: secret)
        waitPastRevalidation()
        #expect(files.file(atRequestPath: "/prompts/x/1.json") == nil)
        // Asked again, still refused, and never the secret.
        waitPastRevalidation()
        #expect(files.file(atRequestPath: "/prompts/x/1.json").map { String(buffer: $0.body) } == nil)
    }

    @Test func aFolderReplacedByASymlinkOutOfTheRootIsRefused() throws {
        let base = try folder()
        let root = base.appendingPathComponent("dist")
        try Data("{}\n".utf8).write(to: root.appendingPathComponent("prompts/x/1.json"))
        let outside = base.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try Data("secret\n".utf8).write(to: outside.appendingPathComponent("1.json"))
        let files = StaticFiles(root: root)
        #expect(files.file(atRequestPath: "/prompts/x/1.json") != nil)
        try FileManager.default.removeItem(at: root.appendingPathComponent("prompts/x"))
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("prompts/x"), withDestinationURL: outside)
        waitPastRevalidation()
        #expect(files.file(atRequestPath: "/prompts/x/1.json") == nil)
    }

    @Test func symlinksInsideTheRootAreFollowedAndChangesShow() throws {
        let base = try folder()
        let root = base.appendingPathComponent("dist")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("v1"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("v2"), withIntermediateDirectories: true)
        try Data("one\n".utf8).write(to: root.appendingPathComponent("v1/manifest.json"))
        try Data("two\n".utf8).write(to: root.appendingPathComponent("v2/manifest.json"))
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("production").path, withDestinationPath: "v1")
        let files = StaticFiles(root: root)
        #expect(files.file(atRequestPath: "/production/manifest.json").map { String(buffer: $0.body) } == "one\n")
        // Switch the link with one rename, as a publisher would.
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent(".next").path, withDestinationPath: "v2")
        #expect(rename(root.appendingPathComponent(".next").path, root.appendingPathComponent("production").path) == 0)
        waitPastRevalidation()
        #expect(files.file(atRequestPath: "/production/manifest.json").map { String(buffer: $0.body) } == "two\n")
    }

    @Test(arguments: ["/../secret", "/%2e%2e/secret", "/%252e%252e/secret", "/a\\b", "/a%00b", "/.hidden", "/", "//"])
    func pathsThatEscapeOrHideAreRefused(_ path: String) throws {
        let root = try folder().appendingPathComponent("dist")
        #expect(StaticFiles(root: root).file(atRequestPath: path) == nil)
    }
}
