internal import CCurl

/// Facts about the libcurl that Herald delivers through. The transport itself arrives with dispatch.
public enum LibCurl {
    /// The linked libcurl's version string, e.g. `libcurl/7.88.1 OpenSSL/3.0.15 zlib/1.2.13`.
    public static var version: String {
        guard let cString = curl_version() else { return "libcurl (unknown version)" }
        return String(cString: cString)
    }
}
