// Compiled seccomp programs kept between runs, verified on read.
#include "sandbox/seccomp_cache.h"

#include <seccomp.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstring>
#include <optional>

#include "base/path.h"
#include "base/sha256.h"

namespace builder::sandbox {
namespace {

constexpr std::string_view kMagic = "builder-seccomp-1 ";

void Append(std::string* out, const void* p, std::size_t n) { out->append(static_cast<const char*>(p), n); }

// What the cached program depends on besides the key: the code that compiles it (this binary,
// by identity: a rebuilt builder may compile differently) and libseccomp's version.
std::string CacheName(const std::string& key) {
  std::string material(key);
  struct stat st {};
  if (::stat("/proc/self/exe", &st) == 0) {
    material += "\nexe " + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" +
                std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
                std::to_string(st.st_mtim.tv_nsec);
  }
  if (const scmp_version* v = seccomp_version()) {
    material += "\nlibseccomp " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                std::to_string(v->micro);
  }
  return Sha256Hex(material) + ".bpf";
}

}  // namespace

std::string SerializeSeccompProgram(const SeccompProgram& program) {
  std::string payload;
  const auto filters = static_cast<std::uint32_t>(program.filters.size());
  Append(&payload, &filters, sizeof filters);
  for (const auto& f : program.filters) {
    const auto n = static_cast<std::uint32_t>(f.size());
    Append(&payload, &n, sizeof n);
    Append(&payload, f.data(), f.size() * sizeof(sock_filter));
  }
  return std::string(kMagic) + Sha256Hex(payload) + "\n" + payload;
}

std::optional<SeccompProgram> ParseSeccompProgram(std::string_view data) {
  const std::size_t header = kMagic.size() + 64 + 1;
  if (data.size() < header || !data.starts_with(kMagic) || data[header - 1] != '\n') return std::nullopt;
  std::string_view payload = data.substr(header);
  if (Sha256Hex(payload) != data.substr(kMagic.size(), 64)) return std::nullopt;
  auto take = [&payload](void* out, std::size_t n) {
    if (payload.size() < n) return false;
    std::memcpy(out, payload.data(), n);
    payload.remove_prefix(n);
    return true;
  };
  std::uint32_t filters = 0;
  if (!take(&filters, sizeof filters)) return std::nullopt;
  SeccompProgram program;
  for (std::uint32_t i = 0; i < filters; ++i) {
    std::uint32_t n = 0;
    if (!take(&n, sizeof n) || n == 0 || n > BPF_MAXINSNS) return std::nullopt;
    std::vector<sock_filter> f(n);
    if (!take(f.data(), n * sizeof(sock_filter))) return std::nullopt;
    program.filters.push_back(std::move(f));
  }
  if (!payload.empty()) return std::nullopt;
  return program;
}

Result<SeccompProgram> CachedSeccompProgram(const std::string& dir, const std::string& key,
                                            const std::function<Result<SeccompProgram>()>& build) {
  if (dir.empty()) return build();
  const std::string path = dir + "/" + CacheName(key);
  if (auto text = ReadFile(path)) {
    if (auto program = ParseSeccompProgram(*text)) return std::move(*program);
  }
  SeccompProgram program = BUILDER_TRY(build());
  // A cache that cannot be written only costs the next run its compile.
  if (MakeDirs(dir, 0700)) (void)WriteRuntimeFile(path, SerializeSeccompProgram(program), 0600);
  return program;
}

}  // namespace builder::sandbox
