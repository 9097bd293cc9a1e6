// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Folio",
    // Folio builds and is tested on Linux only (Debian bookworm and later): the CLI and the
    // server use Linux's stat fields (st_mtim) and clocks (CLOCK_REALTIME_COARSE). The macOS
    // entry states what the code needs there (Synchronization's Mutex), not a tested platform.
    platforms: [.macOS(.v15)],
    // Two products: the tool, and the SDK apps link. Every other module is internal to the
    // package (`package` access), whatever it declares.
    products: [
        .executable(name: "folio", targets: ["folio"]),
        .library(name: "FolioClient", targets: ["FolioClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        // What the FolioClient product pulls into an app is a range (`from:`), never `exact:`, so
        // an app that links the SDK can take newer releases of these packages.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // Only the OTLP/HTTP exporter: the gRPC one would add grpc-swift to every build.
        // Used by one example executable, never by the libraries.
        .package(url: "https://github.com/swift-otel/swift-otel", exact: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Already in the graph through Hummingbird; named for the static server's channel.
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        // OTLP protobuf, decoded with code generated once (Scripts/generate-otlp.sh) and committed.
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
        // Already in the graph through Hummingbird; NIOHTTPTypes names the request parts.
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        // OTLP/gRPC for `folio collect` (4317): the stock Python exporter package registers
        // only its gRPC exporters.
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        // Already in the graph through AsyncHTTPClient; the ClickHouse client names the
        // certificates a `clickhouses://` request trusts (SSL_CERT_FILE).
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        .target(name: "FolioGit", dependencies: ["CLibGit2", "FolioModel"]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "FolioModel"),
        .target(name: "FolioZlib", dependencies: ["CZlib"]),
        .target(name: "FolioProcess", dependencies: ["FolioModel"]),
        .target(name: "FolioTemplate", dependencies: ["FolioModel"]),
        .target(name: "FolioSigning", dependencies: ["FolioModel", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "FolioCore",
            dependencies: ["FolioGit", "FolioModel", "FolioProcess", "FolioTemplate", "FolioSigning", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "FolioManifest",
            dependencies: ["FolioCore", "FolioModel", "FolioSigning", "FolioTemplate", "FolioZlib"]
        ),
        .target(
            name: "FolioProviders",
            dependencies: [
                "FolioModel", "FolioProcess", .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(name: "FolioEval", dependencies: ["FolioCore", "FolioProviders", "FolioProcess", "FolioTemplate", "FolioModel"]),
        // Generated from Protos/opentelemetry-proto by Scripts/generate-otlp.sh; never edited.
        .target(name: "FolioOTLP", dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        .target(name: "FolioTelemetry", dependencies: ["FolioModel", "FolioOTLP", "FolioZlib", .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        .target(
            name: "FolioClickHouse",
            dependencies: [
                "FolioModel", "FolioTelemetry", .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "FolioClient",
            dependencies: [
                "FolioModel", "FolioTemplate", "FolioSigning",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "FolioServer",
            dependencies: [
                "FolioZlib", "FolioModel", "FolioTelemetry", "FolioOTLP", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "GRPCCore", package: "grpc-swift-2"), .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
            ]
        ),
        .executableTarget(name: "folio-sdk-example", dependencies: ["FolioClient"], path: "Examples/SDKExample"),
        .executableTarget(
            name: "folio-otel-example",
            dependencies: [
                "FolioClient", .product(name: "OTel", package: "swift-otel"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), .product(name: "Logging", package: "swift-log"),
            ],
            path: "Examples/OTelExample"
        ),
        .executableTarget(name: "folio-bench", dependencies: ["FolioClient"], path: "Benchmarks/FolioBench"),
        .executableTarget(
            name: "folio",
            dependencies: [
                "FolioCore", "FolioGit", "FolioManifest", "FolioSigning", "FolioServer", "FolioTelemetry", "FolioClickHouse", "FolioEval", "FolioProviders",
                "FolioProcess",
                .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdCore", package: "hummingbird"),
            ]
        ),
        .target(name: "FolioTestSupport", dependencies: ["FolioProcess"], path: "Tests/FolioTestSupport"),
        .testTarget(name: "FolioGitTests", dependencies: ["FolioGit", "FolioTestSupport"]),
        .testTarget(
            name: "FolioTemplateTests",
            dependencies: ["FolioTemplate", "FolioTestSupport"]
        ),
        .testTarget(name: "FolioSigningTests", dependencies: ["FolioSigning", "FolioTestSupport"]),
        .testTarget(name: "FolioCoreTests", dependencies: ["FolioCore", "FolioTestSupport", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "FolioManifestTests", dependencies: ["FolioManifest", "FolioModel"]),
        .testTarget(
            name: "FolioClientTests",
            dependencies: [
                "FolioClient", "FolioServer", "FolioTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "FolioFakeLLM",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log")],
            path: "Tests/FolioFakeLLM"
        ),
        .testTarget(name: "FolioProvidersTests", dependencies: ["FolioProviders", "FolioFakeLLM"]),
        .testTarget(name: "FolioEvalTests", dependencies: ["FolioEval", "FolioProviders", "FolioFakeLLM", "FolioTestSupport", "FolioCore"]),
        .testTarget(name: "FolioServerTests", dependencies: ["FolioServer"]),
        .testTarget(
            name: "FolioTelemetryTests",
            dependencies: [
                "FolioTelemetry", "FolioTestSupport", "FolioOTLP", .product(name: "SwiftProtobuf", package: "swift-protobuf"), .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(name: "FolioClickHouseTests", dependencies: ["FolioClickHouse", "FolioTelemetry", "FolioModel", "FolioTestSupport"]),
        .testTarget(
            name: "FolioCLITests",
            dependencies: [
                "folio", "FolioTestSupport", "FolioCore", "FolioClient", "FolioTelemetry", "FolioClickHouse", "FolioFakeLLM", "FolioEval", "FolioOTLP",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
