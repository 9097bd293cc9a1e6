import Foundation
import FolioCore
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
struct BuildSnapshot {
    var checkpoint: LogCheckpoint
    var manifestDigest: String
    var version: Int
    var generatedAt: Date
    var source: ManifestSource
    /// Each prompt's entry in the manifest, by name, sorted.
    var entries: [(name: String, range: Range<Int>)]
    /// The manifest's `version_files`: path → sha256.
    var versionFiles: [String: String]

    /// The cache file of `environment` built into `folder`. (Bump the format when the bytes
    /// a build writes change, so that no snapshot of older bytes is patched.)
    static func file(gitDirectory: String, environment: String, folder: URL) -> CacheFile {
        let key = environment + "\n" + folder.standardizedFileURL.path
        return CacheFile(gitDirectory: gitDirectory, name: "build-" + ContentHash.sha256Hex(Data(key.utf8)).prefix(16), format: 1)
    }

    init(checkpoint: LogCheckpoint, manifestDigest: String, manifest: Manifest, entries: [(name: String, range: Range<Int>)]) {
        self.checkpoint = checkpoint
        self.manifestDigest = manifestDigest
        version = manifest.version
        generatedAt = manifest.generatedAt
        source = manifest.source
        self.entries = entries
        versionFiles = manifest.versionFiles
    }

    /// The snapshot the records hold, or nil when they are not a whole one.
    init?(_ records: [[String]]) {
        guard records.count >= 2, records[0].count == 5, records[0][0] == "log", records[1].count == 6, records[1][0] == "manifest",
            let tip = ObjectID(hex: records[0][1]), let last = Int(records[0][3]),
            let version = Int(records[1][2]), let seconds = Int64(records[1][3])
        else { return nil }
        let signers = records[0][2].isEmpty ? nil : ObjectID(hex: records[0][2])
        guard records[0][2].isEmpty || signers != nil else { return nil }
        checkpoint = LogCheckpoint(mainTip: tip, signersBlob: signers, lastSequence: last, digest: records[0][4])
        manifestDigest = records[1][1]
        self.version = version
        generatedAt = Date(timeIntervalSince1970: TimeInterval(seconds))
        source = ManifestSource(commit: records[1][4], tag: records[1][5])
        entries = []
        versionFiles = [:]
        var complete = false
        for record in records.dropFirst(2) {
            switch (record.first, record.count) {
            case ("prompt", 4):
                guard let start = Int(record[2]), let end = Int(record[3]), start <= end else { return nil }
                entries.append((record[1], start..<end))
            case ("file", 3):
                versionFiles[record[1]] = record[2]
            case ("end", 1):
                complete = true
            default:
                return nil
            }
        }
        guard complete else { return nil }
    }

    var records: [[String]] {
        var records: [[String]] = [
            ["log", checkpoint.mainTip.hex, checkpoint.signersBlob?.hex ?? "", String(checkpoint.lastSequence), checkpoint.digest],
            ["manifest", manifestDigest, String(version), String(Int64(generatedAt.timeIntervalSince1970.rounded(.down))), source.commit, source.tag],
        ]
        records.reserveCapacity(entries.count + versionFiles.count + 3)
        for entry in entries { records.append(["prompt", entry.name, String(entry.range.lowerBound), String(entry.range.upperBound)]) }
        for path in versionFiles.keys.sorted() { records.append(["file", path, versionFiles[path]!]) }
        records.append(["end"])
        return records
    }
}
