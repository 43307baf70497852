// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "Herald",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "herald", targets: ["herald"]),
        .library(name: "HeraldCore", targets: ["HeraldCore"]),
        .library(name: "HeraldConfig", targets: ["HeraldConfig"]),
        .library(name: "HeraldDelivery", targets: ["HeraldDelivery"]),
        .library(name: "HeraldStore", targets: ["HeraldStore"]),
        .library(name: "HeraldServer", targets: ["HeraldServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Already resolved through Hummingbird; named for the SMTP listener of `herald sink`.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Already resolved through swift-nio; named for the held ingest requests' queue.
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        // The cluster's store: PostgreSQL through its pooled, prepared-statement client.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Already resolved through postgres-nio; named for `sslmode=` in a PostgreSQL store URL.
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // Already resolved through Hummingbird; named for the spans of `herald serve` (docs/tracing.md).
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // The OTLP/HTTP exporter of those spans. Only its OTLPHTTP trait: the gRPC exporter is not built.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // System libraries: installed by `make deps` (Debian: libyaml-dev, libcurl4-openssl-dev).
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        // Pure core: events, paths, patterns, rules, templates, planning. No I/O.
        .target(name: "HeraldCore"),
        // YAML rule files and herald.yaml → core types, with file:line:col diagnostics.
        .target(name: "HeraldConfig", dependencies: ["HeraldCore", "CYAML"]),
        // Outbound requests through libcurl.
        .target(name: "HeraldDelivery", dependencies: ["HeraldCore", "CCurl", "COpenSSL"]),
        // The durable outbox: accepted events, planned deliveries and their attempts in SQLite (GRDB).
        .target(name: "HeraldStore", dependencies: [
            "HeraldCore",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // `herald serve`: the ingest API, delivery workers, reload and metrics (Hummingbird, service-lifecycle).
        .target(
            name: "HeraldServer",
            dependencies: [
                "HeraldCore", "HeraldConfig", "HeraldDelivery", "HeraldStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
            ]
        ),
        .executableTarget(
            name: "herald",
            dependencies: [
                "HeraldCore", "HeraldConfig", "HeraldDelivery", "HeraldStore", "HeraldServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "HeraldCoreTests", dependencies: ["HeraldCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "HeraldConfigTests", dependencies: ["HeraldConfig"], resources: [.copy("Fixtures")]),
        .testTarget(name: "HeraldDeliveryTests", dependencies: ["HeraldDelivery", "HeraldCore", "HeraldTestSupport"]),
        // Test helpers shared by the test targets: a throwaway PostgreSQL server, a loopback HTTP server, an OTLP trace reader.
        .target(name: "HeraldTestSupport", path: "Tests/HeraldTestSupport"),
        .testTarget(name: "HeraldStoreTests", dependencies: ["HeraldStore", "HeraldCore", "HeraldTestSupport"]),
        .testTarget(name: "HeraldServerTests", dependencies: ["HeraldServer", "HeraldCore", "HeraldTestSupport"]),
        .testTarget(name: "HeraldCLITests", dependencies: ["HeraldCore", "HeraldDelivery", "HeraldStore", "HeraldTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
