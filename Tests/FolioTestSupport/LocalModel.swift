import Foundation

/// Where `Scripts/local-llm/setup.sh` (run by `make test`) installs the real small model.
public enum LocalModel {
    public static let folder = ProcessInfo.processInfo.environment["FOLIO_LLM_DIR"].map { URL(fileURLWithPath: $0) }
        ?? Fixtures.packageRoot.appendingPathComponent(".build/llm")
    public static let launcher = Fixtures.packageRoot.appendingPathComponent("Scripts/local-llm/serve.py")

    public static var isInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: folder.appendingPathComponent("venv/bin/python").path)
            && FileManager.default.fileExists(atPath: folder.appendingPathComponent("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf").path)
    }

    /// `make test` sets FOLIO_REQUIRE_LLM=1 so a missing model fails there instead of being skipped.
    public static var isRequired: Bool { ProcessInfo.processInfo.environment["FOLIO_REQUIRE_LLM"] == "1" }
}
