internal import CCurl
import HeraldCore
import Synchronization

/// One libcurl easy handle and everything it points at: the header and recipient lists, the upload
/// bytes, the error buffer and the response being collected. libcurl does not copy these, so they
/// live exactly as long as the handle.
///
/// Ownership moves in one direction: the sending task configures the handle, hands the transfer to
/// the worker through the worker's locked queue, and from then on only the worker thread touches the
/// handle and the buffers. The continuation and the phase are the only state both sides see, and
/// they sit behind `gate`, hence `@unchecked Sendable`.
final class CurlTransfer: @unchecked Sendable {
    enum Kind {
        case http
        case mail
    }

    /// Where the transfer is in its life, as seen by both the sender and the worker.
    enum Phase {
        /// Configured, not yet handed to the worker.
        case created
        /// The caller's task was cancelled before the hand-over: do not start it.
        case cancelledEarly
        /// With the worker (queued or running).
        case queued
        /// Its result has been delivered.
        case finished
    }

    struct Gate {
        var phase: Phase = .created
        var continuation: CheckedContinuation<Result<CurlTransferReport, TransportFailure>, Never>?
    }

    /// A response body larger than this keeps its first `bodyLimit` bytes; the rest is not read.
    static let bodyLimit = 1 << 20

    let kind: Kind
    private(set) var handle: UnsafeMutableRawPointer?
    private var lists: [UnsafeMutablePointer<curl_slist>] = []
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// The first libcurl option that could not be set, reported instead of running the transfer.
    private(set) var setupFailure: TransportFailure?

    // Upload (SMTP): the message and how much libcurl has read of it.
    private var upload: [UInt8] = []
    private var uploadOffset = 0

    // Response (HTTP).
    private var responseHeaders: [(name: String, value: String)] = []
    private var statusLine = ""
    private var body: [UInt8] = []
    private var bodyTruncated = false

    let gate = Mutex(Gate())

    init(kind: Kind) {
        self.kind = kind
        handle = curl_easy_init()
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        guard handle != nil else {
            setupFailure = .other(code: Int(CURLE_FAILED_INIT.rawValue), message: "libcurl could not create a transfer")
            return
        }
        set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        // Never let libcurl raise SIGALRM/SIGPIPE tricks in a multi-threaded process.
        set(CURLOPT_NOSIGNAL, 1)
    }

    deinit {
        close()
        errorBuffer.deallocate()
    }

    /// Frees the easy handle and its lists. The worker calls this right after removing the handle
    /// from the multi handle, so cleanup happens on the thread that drove it.
    func close() {
        if let handle {
            curl_easy_cleanup(handle)
            self.handle = nil
        }
        for list in lists { curl_slist_free_all(list) }
        lists.removeAll()
    }

    // MARK: Options (setup failures are kept, not thrown, so a whole setup reads as a list)

    func set(_ option: CURLoption, _ value: Int) {
        record(option, handle.map { herald_curl_easy_setopt_long($0, option, value) })
    }

    func set(_ option: CURLoption, string value: String) {
        record(option, handle.map { handle in value.withCString { herald_curl_easy_setopt_string(handle, option, $0) } })
    }

    func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) {
        record(option, handle.map { herald_curl_easy_setopt_pointer($0, option, value) })
    }

    func set(_ option: CURLoption, offset value: Int) {
        record(option, handle.map { herald_curl_easy_setopt_off_t($0, option, curl_off_t(value)) })
    }

    /// Sets a list option (headers, recipients); the list lives as long as the transfer.
    func set(_ option: CURLoption, list items: [String]) {
        var list: UnsafeMutablePointer<curl_slist>?
        for item in items {
            guard let appended = curl_slist_append(list, item) else {
                curl_slist_free_all(list)
                record(option, CURLE_OUT_OF_MEMORY)
                return
            }
            list = appended
        }
        guard let list else { return }
        lists.append(list)
        record(option, handle.map { herald_curl_easy_setopt_slist($0, option, list) })
    }

    /// Marks the transfer as one that must not start, for a reason found before libcurl saw it.
    func reject(_ failure: TransportFailure) {
        if setupFailure == nil { setupFailure = failure }
    }

    private func record(_ option: CURLoption, _ code: CURLcode?) {
        guard setupFailure == nil, let code, code != CURLE_OK else { return }
        setupFailure = TransportFailure(curlCode: code, detail: "setting libcurl option \(option.rawValue)")
    }

    // MARK: Callbacks

    /// Collects status line, headers and body through libcurl's callbacks.
    func collectResponse() {
        let me = Unmanaged.passUnretained(self).toOpaque()
        record(CURLOPT_WRITEFUNCTION, handle.map { herald_curl_easy_setopt_write($0, CURLOPT_WRITEFUNCTION, curlTransferWrite) })
        set(CURLOPT_WRITEDATA, pointer: me)
        record(CURLOPT_HEADERFUNCTION, handle.map { herald_curl_easy_setopt_write($0, CURLOPT_HEADERFUNCTION, curlTransferHeader) })
        set(CURLOPT_HEADERDATA, pointer: me)
    }

    /// Uploads `bytes` through libcurl's read callback (SMTP `DATA`).
    func upload(_ bytes: [UInt8]) {
        upload = bytes
        uploadOffset = 0
        record(CURLOPT_READFUNCTION, handle.map { herald_curl_easy_setopt_read($0, CURLOPT_READFUNCTION, curlTransferRead) })
        set(CURLOPT_READDATA, pointer: Unmanaged.passUnretained(self).toOpaque())
        set(CURLOPT_INFILESIZE_LARGE, offset: bytes.count)
    }

    fileprivate func receiveBody(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let room = Self.bodyLimit - body.count
        if bytes.count > room {
            body.append(contentsOf: bytes.prefix(room))
            bodyTruncated = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    fileprivate func receiveHeaderLine(_ bytes: UnsafeBufferPointer<UInt8>) {
        // Works on the bytes and decodes only the name and the trimmed value: this runs for every
        // header of every response, on the transport's one thread.
        var end = bytes.count
        while end > 0, bytes[end - 1] == UInt8(ascii: "\n") || bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let line = UnsafeBufferPointer(rebasing: bytes[0..<end])
        if line.starts(with: "HTTP/".utf8) {
            // A new response begins (after a 1xx, for instance): only the last one's headers count.
            statusLine = String(decoding: line, as: UTF8.self)
            responseHeaders.removeAll()
            return
        }
        guard let first = line.first else { return }
        if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t"), !responseHeaders.isEmpty {
            // An obsolete folded continuation line.
            responseHeaders[responseHeaders.count - 1].value += " " + Self.trimmed(line[...])
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        responseHeaders.append((name: String(decoding: line[..<colon], as: UTF8.self), value: Self.trimmed(line[(colon + 1)...])))
    }

    /// The text without leading and trailing spaces and tabs.
    private static func trimmed(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String {
        let blank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let start = bytes.firstIndex(where: { !blank($0) }), let last = bytes.lastIndex(where: { !blank($0) }) else { return "" }
        return String(decoding: bytes[start...last], as: UTF8.self)
    }

    fileprivate func readUpload(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let count = min(buffer.count, upload.count - uploadOffset)
        guard count > 0 else { return 0 }
        upload.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[uploadOffset..<uploadOffset + count]))
        }
        uploadOffset += count
        return count
    }

    // MARK: Completion (worker thread)

    /// What the finished transfer amounts to, given libcurl's result code.
    func outcome(_ code: CURLcode) -> Result<CurlTransferReport, TransportFailure> {
        guard let handle else { return .failure(.other(code: Int(CURLE_FAILED_INIT.rawValue), message: "transfer has no handle")) }
        var responseCode = 0
        _ = herald_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &responseCode)
        // Running out of room for the body is how the body limit stops the download: the status and
        // headers are complete and the first `bodyLimit` bytes are kept.
        let truncatedOnPurpose = code == CURLE_WRITE_ERROR && bodyTruncated
        guard code == CURLE_OK || truncatedOnPurpose else {
            let detail = String(cString: errorBuffer)
            if kind == .mail, let rejection = TransportFailure(smtpReply: responseCode, curlCode: code, detail: detail) {
                return .failure(rejection)
            }
            return .failure(TransportFailure(curlCode: code, detail: detail))
        }
        var httpVersion = 0
        _ = herald_curl_easy_getinfo_long(handle, CURLINFO_HTTP_VERSION, &httpVersion)
        var connects = 0
        _ = herald_curl_easy_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connects)
        let response = HTTPResponse(status: responseCode, headers: responseHeaders, body: body)
        return .success(CurlTransferReport(response: response, httpVersion: httpVersion, newConnections: connects, bodyTruncated: bodyTruncated))
    }

    // MARK: Delivering the result exactly once

    /// Resumes the waiting task with `result`, unless that already happened.
    func finish(_ result: Result<CurlTransferReport, TransportFailure>) {
        let continuation = gate.withLock { gate -> CheckedContinuation<Result<CurlTransferReport, TransportFailure>, Never>? in
            gate.phase = .finished
            defer { gate.continuation = nil }
            return gate.continuation
        }
        continuation?.resume(returning: result)
    }
}

/// Facts about a finished HTTP transfer beyond the response, for tests and diagnostics.
struct CurlTransferReport: Sendable {
    var response: HTTPResponse
    /// libcurl's `CURL_HTTP_VERSION_*` value for the version spoken (2 for HTTP/1.1, 3 for HTTP/2).
    var httpVersion: Int
    /// How many new connections this transfer had to open (0 when it reused one).
    var newConnections: Int
    var bodyTruncated: Bool
}

// libcurl's callbacks: C function pointers that find their transfer through the user-data pointer.

private func curlTransferWrite(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?) -> Int {
    guard let user else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
    let length = size * count
    guard length > 0, let data else { return 0 }
    let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length)
    return transfer.receiveBody(bytes) ? length : 0
}

private func curlTransferHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?) -> Int {
    guard let user else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
    let length = size * count
    guard length > 0, let data else { return length }
    transfer.receiveHeaderLine(UnsafeBufferPointer(start: UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length))
    return length
}

private func curlTransferRead(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?) -> Int {
    guard let user, let buffer else { return Int(CURL_READFUNC_ABORT) }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
    return transfer.readUpload(into: UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
}
