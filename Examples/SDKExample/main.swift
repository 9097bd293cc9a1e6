// folio-sdk-example: renders the triage prompt from a manifest URL with the public SDK API.
//
//   folio-sdk-example <manifest URL> <public key file> ["ticket text"]
//
// It prints the version it serves and the messages it would send to the model.
import Foundation
import FolioClient

let arguments = CommandLine.arguments
guard arguments.count >= 3, let url = URL(string: arguments[1]) else {
    FileHandle.standardError.write(Data("usage: folio-sdk-example <manifest URL> <public key file> [\"ticket text\"]\n".utf8))
    exit(2)
}
let publicKey = try String(contentsOfFile: arguments[2], encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
let ticket = arguments.count > 3 ? arguments[3] : "The billing API returns wrong amounts for annual plans"

do {
    let folio = try FolioClient(manifestURL: url, publicKeys: [publicKey], cacheTTL: .seconds(300))
    let info = try await folio.version(of: "support_ticket_triage")
    print("Serving version: v\(info.version) (\(info.status))")
    let prompt = try await folio.render("support_ticket_triage", variables: ["ticket_text": ticket, "ticket_type": "email"])
    for message in prompt.messages {
        print("[\(message.role)] \(message.content.split(separator: "\n").first ?? "")")
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
