// Throughput of HeraldCore's message rendering: one ICU MessageFormat template with a plural, an
// amount of money and a datetime, rendered with CLDR data in several locales. Run with
// `swift package benchmark --target Rendering` from Benchmarks/ (see README.md).

import Benchmark
import Foundation
import HeraldCore

/// The template a bank's "large withdrawal" notice might use: plural + money + datetime.
let pattern = "{count, plural, one {# withdrawal} other {# withdrawals}} of {amount} from your account on {when}. Not you? Call us."
let translations: [String: String] = [
    "en-IN": pattern,
    "hi": "{when} को आपके खाते से {amount} की {count, plural, one {# निकासी} other {# निकासियाँ}} हुई। यह आप नहीं थे? हमें कॉल करें।",
    "pt-BR": "{count, plural, one {# saque} other {# saques}} de {amount} da sua conta em {when}. Não foi você? Ligue para nós.",
    "ar": "{count, plural, zero {لا سحوبات} one {سحب واحد} two {سحبان} few {# سحوبات} many {# سحبًا} other {# سحب}} بقيمة {amount} في {when}.",
]

struct RenderingFixture {
    let renderer: MessageRenderer
    let message: MessageFormat
    let arguments: [[String: MessageArgument]]
    var next = 0

    init(locale: String) throws {
        renderer = MessageRenderer(locale: locale)
        message = try MessageFormat(parsing: translations[locale] ?? pattern)
        let zone = TimeZone(identifier: "Asia/Kolkata") ?? .gmt
        // A small pool of different values, so caches of the last value do not flatter the figure.
        var pool: [[String: MessageArgument]] = []
        for index in 0..<64 {
            let count = MessageArgument.number(Decimal(index % 7), literal: String(index % 7))
            let amount = MessageArgument.money(Decimal(1_000 + index * 12_345) + Decimal(5) / 10, currency: "INR")
            let when = MessageArgument.instant(Date(timeIntervalSince1970: 1_741_958_700 + Double(index) * 3_600), timeZone: zone)
            pool.append(["count": count, "amount": amount, "when": when])
        }
        arguments = pool
    }

    mutating func nextArguments() -> [String: MessageArgument] {
        next = (next + 1) & 63
        return arguments[next]
    }
}

let benchmarks: @Sendable () -> Void = {
    for locale in ["en-IN", "hi", "pt-BR", "ar"] {
        let configuration = Benchmark.Configuration(
            metrics: [.throughput, .wallClock, .mallocCountTotal, .peakMemoryResident],
            timeUnits: .microseconds,
            warmupIterations: 10,
            scalingFactor: .kilo,
            maxDuration: .seconds(5),
            maxIterations: 10_000
        )
        Benchmark("Rendering: plural + money + datetime (\(locale))", configuration: configuration) { benchmark, fixture in
            var fixture = fixture
            for _ in benchmark.scaledIterations {
                blackHole(try fixture.renderer.render(fixture.message, arguments: fixture.nextArguments()))
            }
        } setup: {
            try RenderingFixture(locale: locale)
        }
    }
}
