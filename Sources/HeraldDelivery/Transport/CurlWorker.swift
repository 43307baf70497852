internal import CCurl
import Dispatch
import Foundation
import HeraldCore
import Synchronization

/// libcurl's multi interface, driven by one dedicated thread that is never one of Swift's
/// cooperative threads: it blocks in `curl_multi_poll` while nothing is ready.
///
/// Other threads talk to it only through `state` (a `Mutex`): they queue transfers, cancellations
/// and the shutdown request there and wake the thread with `curl_multi_wakeup`, which libcurl allows
/// from any thread. The multi handle itself, and every easy handle once queued, is touched only by
/// the worker thread. That is the whole of the synchronisation, hence `@unchecked Sendable`.
final class CurlWorker: @unchecked Sendable {
    private enum Shutdown {
        case none
        /// Take no new transfers; let those in flight finish until the deadline, then abort them.
        case drain(until: ContinuousClock.Instant)
        /// Fail everything in flight now.
        case abort
    }

    private struct State {
        var incoming: [CurlTransfer] = []
        var cancellations: [CurlTransfer] = []
        /// A wake-up was sent since the worker last took `incoming`: the next transfers need none
        /// (under load, one `curl_multi_wakeup` — a write to a socket under this lock — per loop
        /// turn instead of one per transfer; it was 5 % of the CPU, spinning on this lock).
        var woken = false
        var shutdown = Shutdown.none
        /// Set by the worker as its very last act on the multi handle; after it nobody may wake it.
        var stopped = false
        var thread: ObjectIdentifier?
        var blockingWaiters: [DispatchSemaphore] = []
        var asyncWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let multi: UnsafeMutableRawPointer?
    private let state = Mutex(State())

    /// Starts the thread. `maxIdleConnections` bounds libcurl's connection cache across all hosts.
    init(maxIdleConnections: Int) {
        _ = CurlWorker.globalInit
        multi = curl_multi_init()
        if let multi {
            _ = herald_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(1, maxIdleConnections))
            // HTTP/2 streams of many requests share one connection to a host that offers it.
            _ = herald_curl_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        }
        let thread = Thread { [self] in run() }
        thread.name = "herald-curl"
        thread.start()
    }

    /// `curl_global_init` must run once, before any other libcurl call from any thread; a static
    /// `let` is initialised exactly once, under a lock.
    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_ALL))

    // MARK: Called from any thread

    /// Hands `transfer` to the worker and waits for its result.
    func perform(_ transfer: CurlTransfer) async -> Result<CurlTransferReport, TransportFailure> {
        if let failure = transfer.setupFailure { return .failure(failure) }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let startNow = transfer.gate.withLock { gate -> Bool in
                    guard gate.phase == .created else { return false }
                    gate.phase = .queued
                    gate.continuation = continuation
                    return true
                }
                guard startNow else {
                    continuation.resume(returning: .failure(Self.cancelled))
                    return
                }
                let accepted = state.withLock { state -> Bool in
                    guard case .none = state.shutdown, !state.stopped, multi != nil else { return false }
                    state.incoming.append(transfer)
                    if !state.woken {
                        state.woken = true
                        wake()
                    }
                    return true
                }
                if !accepted { transfer.finish(.failure(Self.shutDown)) }
            }
        } onCancel: {
            let handOver = transfer.gate.withLock { gate -> Bool in
                switch gate.phase {
                case .created:
                    gate.phase = .cancelledEarly
                    return false
                case .queued:
                    return true
                case .cancelledEarly, .finished:
                    return false
                }
            }
            guard handOver else { return }
            state.withLock { state in
                guard !state.stopped else { return }
                state.cancellations.append(transfer)
                wake()
            }
        }
    }

    /// Fails every transfer still in flight and ends the thread; returns once it has ended.
    /// Safe to call more than once, and from the worker thread itself (then it does not wait).
    func shutdownNow() {
        let semaphore = DispatchSemaphore(value: 0)
        let wait = state.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.shutdown = .abort
            wake()
            if let thread = state.thread, thread == ObjectIdentifier(Thread.current) { return false }
            state.blockingWaiters.append(semaphore)
            return true
        }
        if wait { semaphore.wait() }
    }

    /// Takes no new transfers, lets those in flight finish for up to `gracePeriod`, fails the rest,
    /// and returns once the thread has ended.
    func shutdown(gracePeriod: Duration) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let stopped = state.withLock { state -> Bool in
                guard !state.stopped else { return true }
                if case .none = state.shutdown {
                    state.shutdown = .drain(until: .now + gracePeriod)
                }
                state.asyncWaiters.append(continuation)
                wake()
                return false
            }
            if stopped { continuation.resume() }
        }
    }

    /// Called with the state lock held, so the worker cannot be past `stopped` (and the multi
    /// handle cannot be gone) while we wake it.
    private func wake() {
        if let multi { _ = curl_multi_wakeup(multi) }
    }

    static let cancelled = TransportFailure.other(code: Int(CURLE_ABORTED_BY_CALLBACK.rawValue), message: "cancelled: the sending task was cancelled")
    static let shutDown = TransportFailure.connectionLost("the transport shut down before the response arrived")

    // MARK: The worker thread

    private func run() {
        state.withLock { $0.thread = ObjectIdentifier(Thread.current) }
        var inFlight: [UnsafeMutableRawPointer: CurlTransfer] = [:]
        guard let multi else {
            stop(inFlight: &inFlight)
            return
        }
        while true {
            let (incoming, cancellations, shutdown) = state.withLock { state in
                defer {
                    state.incoming.removeAll()
                    state.cancellations.removeAll()
                    state.woken = false
                }
                return (state.incoming, state.cancellations, state.shutdown)
            }
            for transfer in incoming {
                guard let handle = transfer.handle else {
                    transfer.finish(.failure(.other(code: Int(CURLE_FAILED_INIT.rawValue), message: "transfer has no handle")))
                    continue
                }
                let added = curl_multi_add_handle(multi, handle)
                if added == CURLM_OK {
                    inFlight[handle] = transfer
                } else {
                    transfer.close()
                    transfer.finish(.failure(.other(code: Int(added.rawValue), message: "libcurl refused the transfer: \(multiError(added))")))
                }
            }
            for transfer in cancellations {
                guard let handle = transfer.handle, inFlight.removeValue(forKey: handle) != nil else { continue }
                curl_multi_remove_handle(multi, handle)
                transfer.close()
                transfer.finish(.failure(Self.cancelled))
            }
            var pollLimit: Int32 = 1000
            switch shutdown {
            case .none:
                break
            case .abort:
                stop(inFlight: &inFlight)
                return
            case .drain(let deadline):
                let left = ContinuousClock.now.duration(to: deadline)
                if inFlight.isEmpty || left <= .zero {
                    stop(inFlight: &inFlight)
                    return
                }
                pollLimit = Int32(min(1000, left.curlMilliseconds))
            }

            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
                let code = herald_curl_msg_result(message)
                guard let transfer = inFlight.removeValue(forKey: handle) else { continue }
                let result = transfer.outcome(code)
                curl_multi_remove_handle(multi, handle)
                transfer.close()
                transfer.finish(result)
            }
            // Sleeps until a socket is ready, libcurl's next timer, a wake-up, or the limit.
            _ = curl_multi_poll(multi, nil, 0, pollLimit, nil)
        }
    }

    /// Fails what is queued and in flight, frees the multi handle and releases everyone waiting.
    private func stop(inFlight: inout [UnsafeMutableRawPointer: CurlTransfer]) {
        let (leftovers, blocking, waiting) = state.withLock { state in
            state.stopped = true
            defer {
                state.incoming.removeAll()
                state.cancellations.removeAll()
                state.blockingWaiters.removeAll()
                state.asyncWaiters.removeAll()
            }
            return (state.incoming, state.blockingWaiters, state.asyncWaiters)
        }
        for (handle, transfer) in inFlight {
            if let multi { curl_multi_remove_handle(multi, handle) }
            transfer.close()
            transfer.finish(.failure(Self.shutDown))
        }
        inFlight.removeAll()
        for transfer in leftovers {
            transfer.close()
            transfer.finish(.failure(Self.shutDown))
        }
        if let multi { curl_multi_cleanup(multi) }
        for semaphore in blocking { semaphore.signal() }
        for continuation in waiting { continuation.resume() }
    }

    private func multiError(_ code: CURLMcode) -> String {
        curl_multi_strerror(code).map { String(cString: $0) } ?? "code \(code.rawValue)"
    }
}
