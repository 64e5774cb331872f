// CurlTransport: one easy handle per request; 2xx bodies stream to the sink, others are kept.
#include "registry/curl_transport.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <optional>
#include <string>

#include "base/path.h"
#include "registry/certs_dir.h"
#include "registry/curl_library.h"

namespace builder::registry {
namespace {

struct Exchange {
  oci::ByteSink* sink;
  std::size_t max_body;
  HttpResponse response;
  std::optional<Error> write_error;
};

// Each header line arrives whole, CRLF included; a status line starts a new response (the
// first of a redirect chain is discarded).
size_t OnHeader(char* data, size_t, size_t n, void* user) {
  auto* x = static_cast<Exchange*>(user);
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    x->response.headers.clear();
    x->response.body.clear();
    std::size_t space = line.find(' ');
    std::string code = space == line.npos ? "" : std::string(line.substr(space + 1, 3));
    x->response.status = std::strtol(code.c_str(), nullptr, 10);
    return n;
  }
  std::size_t colon = line.find(':');
  if (colon == line.npos) return n;
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  x->response.headers.emplace_back(std::move(name), std::string(value));
  return n;
}

size_t OnData(char* data, size_t, size_t n, void* user) {
  auto* x = static_cast<Exchange*>(user);
  bool ok = x->response.status >= 200 && x->response.status < 300;
  if (ok && x->sink) {
    auto r = x->sink->Write({reinterpret_cast<const std::uint8_t*>(data), n});
    if (!r) {
      x->write_error = std::move(r).error();
      return 0;
    }
    return n;
  }
  std::size_t cap = ok ? x->max_body : kMaxErrorBody;
  if (x->response.body.size() + n > cap) {
    if (ok) {
      x->write_error = Error(ErrorCode::kInvalidArgument,
                             "response body larger than " + std::to_string(cap) + " bytes");
      return 0;
    }
    x->response.body.append(data, cap - x->response.body.size());
    return n;  // the rest of an error page is dropped, not an error
  }
  x->response.body.append(data, n);
  return n;
}

// "host[:port]" exactly as the URL writes it: the certs.d directory name docker uses.
std::string CertsHost(std::string_view url) {
  std::size_t start = url.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  std::size_t end = url.find_first_of("/?#", start);
  std::string_view authority = url.substr(start, end == std::string_view::npos ? url.npos : end - start);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  return std::string(authority);
}

// certs.d for the URL's host: its *.crt trusted besides the system CAs (one PEM blob of both,
// since CURLOPT_CAINFO_BLOB replaces the default bundle), its client certificate pair sent.
// curl copies both the blob and the file names.
Result<void> ApplyTls(const CurlLibrary& lib, CURL* c, const std::string& url) {
  std::string host = CertsHost(url);
  auto files = FindTlsFiles(host);
  if (!files) return Fail(std::move(files.error()).Context("TLS settings for " + host));
  if (!files->ca_files.empty()) {
    std::string ca_blob;
    char* system_bundle = nullptr;
    lib.easy_getinfo(c, CURLINFO_CAINFO, &system_bundle);
    std::string bundle = system_bundle ? system_bundle : "/etc/ssl/certs/ca-certificates.crt";
    if (auto text = ReadFile(bundle)) ca_blob = std::move(*text) + "\n";
    for (const std::string& path : files->ca_files) {
      auto text = ReadFile(path);
      if (!text) return Fail(std::move(text.error()).Context("read CA certificate for " + host));
      ca_blob += *text + "\n";
    }
    curl_blob blob{ca_blob.data(), ca_blob.size(), CURL_BLOB_COPY};
    lib.easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
  }
  if (!files->client_cert.empty()) {
    lib.easy_setopt(c, CURLOPT_SSLCERT, files->client_cert.c_str());
    lib.easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
    lib.easy_setopt(c, CURLOPT_SSLKEY, files->client_key.c_str());
  }
  return {};
}

class CurlTransport final : public RegistryTransport {
 public:
  Result<HttpResponse> Send(const HttpRequest& request, oci::ByteSink* sink,
                            std::size_t max_body) override {
    const CurlLibrary& lib = *BUILDER_TRY(LoadCurl());
    std::unique_ptr<CURL, void (*)(CURL*)> curl(lib.easy_init(), lib.easy_cleanup);
    if (!curl) return Fail(ErrorCode::kInternal, "curl_easy_init failed");
    std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(nullptr, lib.slist_free_all);
    for (const auto& [name, value] : request.headers) {
      std::string line = name + ": " + value;
      curl_slist* next = lib.slist_append(headers.get(), line.c_str());
      if (next == nullptr) return Fail(ErrorCode::kInternal, "curl_slist_append failed");
      (void)headers.release();
      headers.reset(next);
    }
    Exchange x{sink, max_body, {}, std::nullopt};
    char error_text[CURL_ERROR_SIZE] = {};
    CURL* c = curl.get();
    lib.easy_setopt(c, CURLOPT_URL, request.url.c_str());
    if (request.method == "HEAD") lib.easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (request.method == "POST") {
      lib.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      lib.easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    }
    if (request.url.starts_with("https://")) BUILDER_TRY(ApplyTls(lib, c, request.url));
    lib.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    lib.easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    lib.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    lib.easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    lib.easy_setopt(c, CURLOPT_USERAGENT, "builder/0.1");
    lib.easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    lib.easy_setopt(c, CURLOPT_ERRORBUFFER, error_text);
    lib.easy_setopt(c, CURLOPT_HEADERFUNCTION, &OnHeader);
    lib.easy_setopt(c, CURLOPT_HEADERDATA, &x);
    lib.easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnData);
    lib.easy_setopt(c, CURLOPT_WRITEDATA, &x);
    lib.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    lib.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    lib.easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    lib.easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    CURLcode rc = lib.easy_perform(c);
    if (x.write_error) return Fail(std::move(*x.write_error));
    if (rc != CURLE_OK) {
      std::string where = UrlAuthority(request.url);
      if (rc == CURLE_COULDNT_CONNECT) {
        long os_errno = 0;
        lib.easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
        return Fail(Error(ErrorCode::kIo, "connect to " + where + ": " +
                                              (os_errno ? ErrnoText(static_cast<int>(os_errno))
                                                        : std::string(lib.easy_strerror(rc))),
                          static_cast<int>(os_errno)));
      }
      std::string why = error_text[0] ? error_text : lib.easy_strerror(rc);
      if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE)
        why += " (trust its CA with a certs.d/" + CertsHost(request.url) + "/ca.crt)";
      return Fail(ErrorCode::kIo, request.method + " " + where + ": " + why);
    }
    long status = 0;
    lib.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    x.response.status = status;
    return std::move(x.response);
  }
};

}  // namespace

std::unique_ptr<RegistryTransport> MakeCurlTransport() { return std::make_unique<CurlTransport>(); }

}  // namespace builder::registry
