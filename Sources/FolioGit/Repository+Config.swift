import CLibGit2
import Foundation

extension Repository {
    /// A git config value (repository, global and system, as git reads them), or nil.
    package func configValue(_ key: String) -> String? {
        var config: OpaquePointer?
        guard git_repository_config_snapshot(&config, pointer) >= 0, let config else { return nil }
        defer { git_config_free(config) }
        var value: UnsafePointer<CChar>?
        guard git_config_get_string(&value, config, key) >= 0, let value else { return nil }
        return String(cString: value)
    }

    /// Who is acting, as git would record it: `GIT_COMMITTER_NAME`/`EMAIL`, else
    /// `user.name`/`user.email`; the time is now.
    package func currentIdentity(now: Date = Date(), environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Signature {
        let name = environment["GIT_COMMITTER_NAME"] ?? configValue("user.name")
        let email = environment["GIT_COMMITTER_EMAIL"] ?? configValue("user.email")
        guard let name, let email, !name.isEmpty else {
            throw GitError(.other, "git does not know who you are", hint: "run: git config --global user.name \"Your Name\" && git config --global user.email you@example.com")
        }
        return Signature(name: name, email: email, date: now, timeZoneOffsetMinutes: TimeZone.current.secondsFromGMT(for: now) / 60)
    }
}
