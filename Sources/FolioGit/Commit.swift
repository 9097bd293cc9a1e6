import Foundation

/// A person and time from a commit or tag header.
public struct Signature: Sendable, Equatable, Codable {
    public let name: String
    public let email: String
    public let date: Date
    /// The offset from UTC in minutes, as recorded.
    public let timeZoneOffsetMinutes: Int

    public init(name: String, email: String, date: Date, timeZoneOffsetMinutes: Int) {
        self.name = name
        self.email = email
        self.date = date
        self.timeZoneOffsetMinutes = timeZoneOffsetMinutes
    }
}

/// A commit, as a value.
public struct Commit: Sendable, Equatable {
    public let id: ObjectID
    public let tree: ObjectID
    public let parents: [ObjectID]
    public let author: Signature
    public let committer: Signature
    public let message: String

    /// The first line of the message.
    public var subject: String {
        message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
    }
}

/// One entry of a tree folder.
public struct TreeEntry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case file
        case executable
        case symlink
        case folder
        case submodule
    }

    public let name: String
    public let kind: Kind
    public let id: ObjectID
}

/// A path whose blob changed between two trees.
public struct ChangedPath: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable {
        case added, deleted, modified, renamed, copied, typeChanged
    }

    public let status: Status
    /// The path in the old tree (equal to `newPath` unless renamed or copied).
    public let oldPath: String
    public let newPath: String
}

/// A commit of first-parent history at which a path's blob differs from the parent's.
public struct PathChange: Sendable, Equatable {
    public let commit: Commit
    /// The path's blob at this commit, or nil when the commit deleted it.
    public let blob: ObjectID?
}
