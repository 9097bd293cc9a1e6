import ArgumentParser
import Foundation

FolioCommand.main(CommandLine.arguments.dropFirst().map { $0 })
