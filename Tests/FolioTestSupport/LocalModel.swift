import Foundation

/// Where `Scripts/local-llm/setup.sh` (run by `make test`) installs the real small model.
public enum LocalModel {
    public static let folder =
        ProcessInfo.processInfo.environment["FOLIO_LLM_DIR"].map { URL(fileURLWithPath: $0) }
        ?? Fixtures.packageRoot.appendingPathComponent(".build/llm")
    public static let launcher = Fixtures.packageRoot.appendingPathComponent("Scripts/local-llm/serve.py")

    /// `make test` sets FOLIO_REQUIRE_LLM=1 so a missing model fails there instead of being skipped.
    public static var isRequired: Bool { ProcessInfo.processInfo.environment["FOLIO_REQUIRE_LLM"] == "1" }
}
