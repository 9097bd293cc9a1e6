import Foundation

/// A person and time from a commit or tag header.
package struct Signature: Sendable, Equatable, Codable {
    package let name: String
    package let email: String
    package let date: Date
    /// The offset from UTC in minutes, as recorded.
    package let timeZoneOffsetMinutes: Int

    package init(name: String, email: String, date: Date, timeZoneOffsetMinutes: Int) {
        self.name = name
        self.email = email
        self.date = date
        self.timeZoneOffsetMinutes = timeZoneOffsetMinutes
    }
}

/// A commit, as a value.
package struct Commit: Sendable, Equatable {
    package let id: ObjectID
    package let tree: ObjectID
    package let parents: [ObjectID]
    package let author: Signature
    package let committer: Signature
    package let message: String

    /// The first line of the message.
    package var subject: String {
        message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
    }
}

/// One entry of a tree folder.
package struct TreeEntry: Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        case file
        case executable
        case symlink
        case folder
        case submodule
    }

    package let name: String
    package let kind: Kind
    package let id: ObjectID
}

/// A path whose blob changed between two trees.
package struct ChangedPath: Sendable, Equatable {
    package enum Status: String, Sendable, Equatable {
        case added, deleted, modified, renamed, copied, typeChanged
    }

    package let status: Status
    /// The path in the old tree (equal to `newPath` unless renamed or copied).
    package let oldPath: String
    package let newPath: String
}

/// A commit of first-parent history at which a path's blob differs from the parent's.
package struct PathChange: Sendable, Equatable {
    package let commit: Commit
    /// The path's blob at this commit, or nil when the commit deleted it.
    package let blob: ObjectID?
}
