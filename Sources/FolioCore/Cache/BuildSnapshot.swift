import Foundation
import FolioGit
import FolioModel
import FolioSigning

/// What the last build of one environment into one folder wrote, so that the next build
/// can check only the promotion tags added since and patch the manifest instead of making
/// it again: the log's checkpoint (`LogCheckpoint`), the sha256 of the manifest written,
/// its header, where each prompt's entry lies in its bytes, and its `version_files`. Kept
/// in `<git dir>/folio/build-<hash of environment and folder>`.
///
/// It decides nothing alone: the manifest in the folder must still have that sha256, and
/// every version file the written-files record says is in place; otherwise, or when the
/// checkpoint no longer holds, the build makes everything again.
package struct BuildSnapshot {
    package var checkpoint: LogCheckpoint
    package var manifestDigest: String
    package var version: Int
    package var generatedAt: Date
    package var source: ManifestSource
    /// Each prompt's entry in the manifest, by name, sorted.
    package var entries: [(name: String, range: Range<Int>)]
    /// The manifest's `version_files`: path → sha256.
    package var versionFiles: [String: String]

    /// The cache file of `environment` built into `folder`. (Bump the format when the bytes
    /// a build writes change, so that no snapshot of older bytes is patched.)
    package static func file(gitDirectory: String, environment: String, folder: URL) -> CacheFile {
        let key = environment + "\n" + folder.standardizedFileURL.path
        return CacheFile(gitDirectory: gitDirectory, name: "build-" + ContentHash.sha256Hex(Data(key.utf8)).prefix(16), format: 2)
    }

    package init(checkpoint: LogCheckpoint, manifestDigest: String, manifest: Manifest, entries: [(name: String, range: Range<Int>)]) {
        self.checkpoint = checkpoint
        self.manifestDigest = manifestDigest
        version = manifest.version
        generatedAt = manifest.generatedAt
        source = manifest.source
        self.entries = entries
        versionFiles = manifest.versionFiles
    }

    /// The snapshot in `file`, or nil when there is none whole.
    package static func load(from file: CacheFile) -> BuildSnapshot? {
        file.load(Record.self).first.flatMap(BuildSnapshot.init)
    }

    package func save(to file: CacheFile) {
        file.save([Record(self)])
    }

    /// The snapshot as the one record of its file (a line, saved whole or not at all).
    struct Record: Codable {
        struct Entry: Codable {
            var name: String
            var start: Int
            var end: Int
        }

        struct VersionFile: Codable {
            var path: String
            var sha256: String
        }

        var checkpoint: LogCheckpoint
        var manifestDigest: String
        var version: Int
        var generatedAt: Int64
        var source: ManifestSource
        var entries: [Entry]
        var versionFiles: [VersionFile]

        init(_ snapshot: BuildSnapshot) {
            checkpoint = snapshot.checkpoint
            manifestDigest = snapshot.manifestDigest
            version = snapshot.version
            generatedAt = Int64(snapshot.generatedAt.timeIntervalSince1970.rounded(.down))
            source = snapshot.source
            entries = snapshot.entries.map { Entry(name: $0.name, start: $0.range.lowerBound, end: $0.range.upperBound) }
            versionFiles = snapshot.versionFiles.keys.sorted().map { VersionFile(path: $0, sha256: snapshot.versionFiles[$0]!) }
        }
    }

    private init?(_ record: Record) {
        guard record.entries.allSatisfy({ $0.start <= $0.end }) else { return nil }
        checkpoint = record.checkpoint
        manifestDigest = record.manifestDigest
        version = record.version
        generatedAt = Date(timeIntervalSince1970: TimeInterval(record.generatedAt))
        source = record.source
        entries = record.entries.map { ($0.name, $0.start..<$0.end) }
        versionFiles = Dictionary(record.versionFiles.map { ($0.path, $0.sha256) }, uniquingKeysWith: { _, last in last })
    }
}
