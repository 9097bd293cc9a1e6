import Foundation

/// Small valid files for building test repositories.
public enum Fixtures {
    /// Every file under `folder` (not folders), by path relative to it, with its bytes.
    public static func files(in folder: URL) throws -> [String: Data] {
        var result: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: folder.path)
        while let path = enumerator?.nextObject() as? String {
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path, isDirectory: &isFolder)
            if !isFolder.boolValue { result[path] = try Data(contentsOf: folder.appendingPathComponent(path)) }
        }
        return result
    }

    public static let config = """
        schema: folio/config@1
        environments: [staging, production]

        """

    public static func prompt(_ name: String, system: String = "You classify tickets. Type: {{ticket_type}}", user: String = "{{ticket_text}}") -> String {
        """
        schema: folio/prompt@1
        name: \(name)
        variables:
          ticket_text: { type: string, required: true }
          ticket_type: { type: string, enum: [email, chat, web], default: email }
        messages:
          - role: system
            content: "\(system)"
          - role: user
            content: "\(user)"

        """
    }

    /// The package root (for the worked example and shared test data).
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()
}

/// A small deterministic generator, so a failure repeats.
public struct SplitMix {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
