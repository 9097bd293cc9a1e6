import FolioClickHouse
import FolioTestSupport
import Foundation
import Testing

/// The client under many concurrent queries: they queue at the server, not in the client.
struct ClickHouseClientTests {
    /// The front runs one query at a time, as a busy server would: 48 queries of 0.3 s sent
    /// at once take 14.4 s in all. With AsyncHTTPClient's default of 8 connections per host,
    /// the last ones waited 12 s for a connection and failed at the 10 s connect timeout
    /// (`HTTPClientError.getConnectionFromPoolTimeout`, which CI hit when the whole suite
    /// shared one front).
    @Test func concurrentQueriesWaitForTheServerNotForAConnection() async throws {
        let front = try ClickHouseFront()
        defer { front.stop() }
        let client = ClickHouseClient(url: try ClickHouseURL(front.url(database: "default")), password: nil)
        let answers = try await withThrowingTaskGroup(of: Int64?.self) { group in
            for index in 0..<48 {
                group.addTask {
                    try await client.rows("SELECT \(index) AS n, sleep(0.3) AS s").first?["n"]?.int64
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(answers.compactMap { $0 }) == Set((0..<48).map(Int64.init)))
    }
}
