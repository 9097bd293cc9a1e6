// folio-bench: the Swift side of the benchmarks in Benchmarks/.
//
//   folio-bench render <manifest URL> <public key file> <iterations>
//     Warms a FolioClient, then times cached renders of the triage prompt and prints
//     "<nanoseconds per render>".
import Foundation
import FolioClient

let arguments = CommandLine.arguments
guard arguments.count == 5, arguments[1] == "render", let url = URL(string: arguments[2]), let iterations = Int(arguments[4]) else {
    FileHandle.standardError.write(Data("usage: folio-bench render <manifest URL> <public key file> <iterations>\n".utf8))
    exit(2)
}
let key = try String(contentsOfFile: arguments[3], encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
let folio = try FolioClient(manifestURL: url, publicKeys: [key], cacheTTL: .seconds(3600))
let variables = ["ticket_text": "The billing API returns wrong amounts for annual plans", "ticket_type": "email", "customer_tier": "enterprise"]
_ = try await folio.render("support_ticket_triage", variables: variables)
let clock = ContinuousClock()
var total = 0
let elapsed = try await clock.measure {
    for _ in 0..<iterations {
        total &+= try await folio.render("support_ticket_triage", variables: variables).messages.count
    }
}
let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
print(String(format: "%.1f", nanoseconds / Double(iterations)))
if total == 0 { exit(1) }
