// swift-tools-version: 6.1
// Herald's micro-benchmarks (ordo-one/benchmark), a package of their own so that the main package's
// `swift build` and `swift test` never fetch or build the benchmark tooling. Run from this folder:
//     swift package benchmark
// See README.md.
import PackageDescription

let package = Package(
    name: "HeraldBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named so the product reference below doesn't depend on the checkout's folder name
        // (a path dependency's identity is otherwise its last path component).
        .package(name: "Herald", path: ".."),
        // Traits listed explicitly replace the package's defaults ["MallocInterposer", "RuntimeInterposer"].
        // RuntimeInterposer would pull ordo-one/swift-runtime-interposer (Linux, Swift 6.3 only), which
        // is not available offline here; it is needed only for the ARC metrics (retainCount, releaseCount,
        // …), which these benchmarks don't use. MallocInterposer keeps the malloc counts.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "Matching",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "HeraldCore", package: "Herald"),
            ],
            path: "Benchmarks/Matching",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
        .executableTarget(
            name: "Rendering",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "HeraldCore", package: "Herald"),
            ],
            path: "Benchmarks/Rendering",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
        .executableTarget(
            name: "Parsing",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "HeraldCore", package: "Herald"),
                .product(name: "HeraldServer", package: "Herald"),
            ],
            path: "Benchmarks/Parsing",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Requests",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "HeraldCore", package: "Herald"),
                .product(name: "HeraldDelivery", package: "Herald"),
            ],
            path: "Benchmarks/Requests",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Outbox",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "HeraldStore", package: "Herald"),
            ],
            path: "Benchmarks/Outbox",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Deliveries/s through libcurl to a live loopback sink: run by scripts/bench-delivery, which
        // starts the sink and measures its ceiling with wrk (not a package-benchmark benchmark).
        .executableTarget(
            name: "Delivery",
            dependencies: [
                .product(name: "HeraldCore", package: "Herald"),
                .product(name: "HeraldDelivery", package: "Herald"),
            ],
            path: "Tools/Delivery"
        ),
        // One event at a time through every stage of `herald serve` (parse, plan, store, claim, send to
        // a live sink, record), timed per stage and, under callgrind, costed per stage: run by
        // scripts/profile-pipeline (not a package-benchmark benchmark).
        .executableTarget(
            name: "Pipeline",
            dependencies: [
                "CCallgrind",
                .product(name: "HeraldCore", package: "Herald"),
                .product(name: "HeraldConfig", package: "Herald"),
                .product(name: "HeraldDelivery", package: "Herald"),
                .product(name: "HeraldStore", package: "Herald"),
                .product(name: "HeraldServer", package: "Herald"),
            ],
            path: "Tools/Pipeline"
        ),
        // Callgrind client requests (valgrind/callgrind.h) for Pipeline; no-ops without valgrind.
        .target(name: "CCallgrind", path: "Tools/CCallgrind"),
    ]
)
