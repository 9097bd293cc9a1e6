import ArgumentParser
import FolioGit
import Foundation

// Output piped into a program that stops reading (`folio log | head`), or a provider
// command that exits without reading its input, must end in EPIPE errors, not SIGPIPE.
signal(SIGPIPE, SIG_IGN)
Libgit2.prepareInBackground()
await FolioCommand.execute(CommandLine.arguments.dropFirst().map { $0 })
