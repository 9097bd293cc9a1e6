import FolioTestSupport
import Foundation
import Testing

/// What `Package.swift` promises apps that link the SDK.
@Suite("Package manifest")
struct PackageManifestTests {
    /// An app that links `FolioClient` resolves its own versions of the packages the SDK
    /// pulls in: each is a range (`from:`), never `exact:`, or the app would be locked to
    /// Folio's choice.
    @Test func everyPackageTheSDKPullsInIsARange() throws {
        let swift = ["/opt/swift/usr/bin/swift", "/usr/bin/swift"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "swift"
        // A scratch folder of its own: `swift test` holds the lock on .build while it runs.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("folio-dump-\(UUID())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let result = try Command.run(swift, ["package", "--scratch-path", scratch.path, "dump-package"], in: Fixtures.packageRoot)
        #expect(result.status == 0, "\(result.stderr)")
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let targets = Dictionary(uniqueKeysWithValues: (manifest["targets"] as? [[String: Any]] ?? []).map { ($0["name"] as? String ?? "", $0) })
        // The packages reached from FolioClient through its own package's targets.
        var packages = Set<String>()
        var seen = Set<String>()
        var pending = ["FolioClient"]
        while let name = pending.popLast() {
            guard seen.insert(name).inserted, let target = targets[name] else { continue }
            for dependency in target["dependencies"] as? [[String: Any]] ?? [] {
                if let byName = dependency["byName"] as? [Any], let target = byName.first as? String { pending.append(target) }
                if let product = dependency["product"] as? [Any], product.count > 1, let package = product[1] as? String { packages.insert(package.lowercased()) }
            }
        }
        #expect(packages.isSuperset(of: ["async-http-client", "swift-distributed-tracing", "swift-log", "swift-crypto"]), "\(packages.sorted())")
        for dependency in manifest["dependencies"] as? [[String: Any]] ?? [] {
            guard let control = (dependency["sourceControl"] as? [[String: Any]])?.first, let identity = control["identity"] as? String, packages.contains(identity) else { continue }
            let requirement = control["requirement"] as? [String: Any] ?? [:]
            #expect(requirement["range"] != nil, "\(identity) is \(requirement.keys.sorted()) in Package.swift: the FolioClient product needs from: ranges")
        }
    }
}
