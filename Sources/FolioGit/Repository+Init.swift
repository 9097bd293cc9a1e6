import CLibGit2

extension Repository {
    /// Creates an empty repository (like `git init -b <initialBranch>`) and opens it.
    @discardableResult
    package static func initialize(at path: String, initialBranch: String = "main") throws -> Repository {
        Libgit2.ensureInitialized()
        var options = git_repository_init_options()
        git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION))
        options.flags = GIT_REPOSITORY_INIT_MKPATH.rawValue
        var repo: OpaquePointer?
        let code = initialBranch.withCString { branch in
            options.initial_head = branch
            return git_repository_init_ext(&repo, path, &options)
        }
        try Libgit2.check(code, "creating a git repository at '\(path)'")
        git_repository_free(repo)
        return try Repository(discovering: path)
    }
}
