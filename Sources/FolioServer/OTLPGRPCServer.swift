import FolioOTLP
import FolioTelemetry
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// `folio collect`'s OTLP/gRPC receiver (4317): the `Export` methods of
/// `opentelemetry.proto.collector.trace.v1.TraceService` and `…logs.v1.LogsService`, which
/// the stock exporters (and `opentelemetry-instrument --traces_exporter otlp`) call. Each
/// message goes through the same path as an HTTP body (`TraceCollector.accept`): decoded
/// with the reader's decoder, stored, then answered; a body the reader cannot read is
/// INVALID_ARGUMENT, a store that cannot take it now UNAVAILABLE (which exporters retry).
struct OTLPGRPCServer: Sendable {
    let collector: TraceCollector
    let host: String
    let port: Int

    func run(onListening: @escaping @Sendable (Int) async -> Void) async throws {
        let limit = collector.configuration.maxBodyBytes
        let transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: host, port: port), transportSecurity: .plaintext, config: .defaults { $0.rpc.maxRequestPayloadSize = limit })
        let server = GRPCServer(transport: transport, services: [ExportService(collector: collector)])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            group.addTask {
                if let address = try await transport.listeningAddress.ipv4 { await onListening(address.port) }
            }
            do {
                try await group.waitForAll()
            } catch {
                server.beginGracefulShutdown()
                throw error
            }
        }
    }

    struct ExportService: RegistrableRPCService {
        let collector: TraceCollector

        func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
            for (service, signal) in [("opentelemetry.proto.collector.trace.v1.TraceService", TelemetryBatch.Signal.traces), ("opentelemetry.proto.collector.logs.v1.LogsService", .logs)] {
                let collector = self.collector
                router.registerHandler(
                    forMethod: MethodDescriptor(fullyQualifiedService: service, method: "Export"), deserializer: Bytes(), serializer: Bytes()
                ) { request, _ in
                    var body = Data()
                    for try await message in request.messages { body = message }
                    switch await collector.accept(body, signal: signal, encoding: .protobuf) {
                    case .stored(let rejected):
                        return StreamingServerResponse(single: ServerResponse(message: TraceCollector.exportResponse(signal: signal, rejected: rejected, json: false)))
                    case .malformed(let reason):
                        throw RPCError(code: .invalidArgument, message: reason)
                    case .unavailable(let reason, _):
                        throw RPCError(code: .unavailable, message: reason)
                    }
                }
            }
        }
    }

    /// Messages as their bytes: the collector decodes them itself, with the reader's limits.
    struct Bytes: MessageSerializer, MessageDeserializer {
        func serialize<Output: GRPCContiguousBytes>(_ message: Data) throws -> Output { Output(message) }

        func deserialize<Input: GRPCContiguousBytes>(_ serializedMessageBytes: Input) throws -> Data {
            serializedMessageBytes.withUnsafeBytes { Data($0) }
        }
    }
}
