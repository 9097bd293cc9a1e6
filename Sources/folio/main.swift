import ArgumentParser
import Foundation

// Output piped into a program that stops reading (`folio log | head`), or a provider
// command that exits without reading its input, must end in EPIPE errors, not SIGPIPE.
signal(SIGPIPE, SIG_IGN)
FolioCommand.main(CommandLine.arguments.dropFirst().map { $0 })
