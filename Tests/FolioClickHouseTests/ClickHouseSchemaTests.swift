import FolioClickHouse
import FolioTelemetry
import FolioTestSupport
import Foundation
import Testing

/// Folio's tables are the Collector exporter's, exactly: its templates, vendored with their
/// commits, are what `--create-tables` renders, and its insert's column order is the rows'.
struct ClickHouseSchemaTests {
    static func vendored(_ name: String) throws -> String {
        try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/clickhouseexporter/\(name)"), encoding: .utf8)
    }

    /// The column names of an INSERT template, in order.
    static func columns(_ insert: String) -> [String] {
        let list = insert[insert.range(of: "(")!.upperBound..<insert.range(of: ") VALUES")!.lowerBound]
        return list.split(whereSeparator: { $0 == "," || $0.isNewline }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && $0 != "%s" }
    }

    @Test func theTemplatesAreTheExportersOwn() throws {
        #expect(ClickHouseSchema.tracesTemplate + "\n" == (try Self.vendored("traces_table.sql")))
        #expect(ClickHouseSchema.logsTemplate + "\n" == (try Self.vendored("logs_table.sql")))
        #expect(ClickHouseSchema.tracesColumns == Self.columns(try Self.vendored("traces_insert.sql")))
        // logs_insert.sql's %s adds the EventName column logs_table.sql has.
        #expect(ClickHouseSchema.logsColumns == Self.columns(try Self.vendored("logs_insert.sql")) + ["EventName"])
    }

    @Test func theRenderedTablesAreCreatedWithATTLAndTakeTheRows() async throws {
        let front = try ClickHouseFront.shared()
        let url = try ClickHouseURL(front.url(database: ClickHouseFront.databaseName("schema")))
        let client = ClickHouseClient(url: url, password: nil)
        try await ClickHouseWriter.createTables(client, ttlDays: 3650)
        try await ClickHouseWriter.createTables(client, ttlDays: 3650)  // a second time is a no-op
        for (table, expected) in [(url.tracesTable, ClickHouseSchema.tracesColumns), (url.logsTable, ClickHouseSchema.logsColumns)] {
            let described = try await client.rows("DESCRIBE TABLE \(url.database).\(table) SETTINGS describe_include_subcolumns = 0")
            let names = described.compactMap { $0["name"]?.string }
            #expect(Set(expected).isSubset(of: Set(names)), "\(table): \(names)")
            let create = try await client.rows("SHOW CREATE TABLE \(url.database).\(table)")
            let statement = create.first?["statement"]?.string ?? ""
            #expect(statement.contains("TTL"), "\(statement)")
            #expect(statement.contains("toIntervalDay(3650)"), "\(statement)")
        }
        let types = try await client.rows("SELECT name, type FROM system.columns WHERE database = {db:String} AND table = 'otel_traces'", parameters: ["db": url.database])
        let byName = Dictionary(uniqueKeysWithValues: types.compactMap { row in row["name"]?.string.map { ($0, row["type"]?.string ?? "") } })
        #expect(byName["SpanAttributes"] == "Map(LowCardinality(String), String)")
        #expect(byName["Timestamp"] == "DateTime64(9)")
        #expect(byName["Duration"] == "UInt64")
        #expect(byName["Events.Attributes"] == "Array(Map(LowCardinality(String), String))")
        // A fixture loads in the exporter's row format and reads back whole.
        let summary = try await ClickHouseWriter.load([Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/instrumentations/openai-v2").path], into: client)
        let counts = try await client.rows(
            "SELECT (SELECT count() FROM \(url.database).otel_traces) AS spans, (SELECT count() FROM \(url.database).otel_logs) AS logs")
        #expect(counts.first?["spans"]?.int64 == Int64(summary.spans))
        #expect(counts.first?["logs"]?.int64 == Int64(summary.logs))
        #expect(summary.logs > 0)
        // With a 30-day TTL, the fixture's spans (from 2025) are past it and dropped.
        let short = try ClickHouseURL(front.url(database: ClickHouseFront.databaseName("ttl")))
        let shortClient = ClickHouseClient(url: short, password: nil)
        try await ClickHouseWriter.createTables(shortClient, ttlDays: 30)
        try await ClickHouseWriter.load([Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/instrumentations/seed").path], into: shortClient)
        try await shortClient.execute("OPTIMIZE TABLE \(short.database).otel_traces FINAL")
        let kept = try await shortClient.rows("SELECT count() AS spans FROM \(short.database).otel_traces")
        #expect(kept.first?["spans"]?.int64 == 0)
    }
}
