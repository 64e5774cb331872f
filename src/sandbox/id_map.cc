// User namespace id maps: /etc/subuid parsing, the map for each way of running, and applying it.
#include "sandbox/id_map.h"

#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "base/path.h"
#include "base/subprocess.h"
#include "base/unique_fd.h"

namespace builder::sandbox {
namespace {

bool Maps(const std::vector<IdMapping>& map, uint32_t id) {
  for (const IdMapping& m : map) {
    if (id >= m.container_id && id - m.container_id < m.size) return true;
  }
  return false;
}

bool ParseU32(std::string_view text, uint32_t* out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Appends the subordinate ranges after container id 1, capped so no container id overflows.
void AppendRanges(std::vector<IdMapping>* map, const std::vector<SubIdRange>& ranges) {
  uint64_t next = 1;
  for (const SubIdRange& r : ranges) {
    const uint64_t room = 0xFFFFFFFFull - next;
    const uint64_t size = r.count < room ? r.count : room;
    if (size == 0) break;
    map->push_back({static_cast<uint32_t>(next), r.start, static_cast<uint32_t>(size)});
    next += size;
  }
}

// One identity line per line of `own`: the kernel wants each range of a child's map to lie
// inside a single range of its parent's, so adjacent ranges must not be merged.
std::vector<IdMapping> Identity(std::vector<IdMapping> own) {
  std::sort(own.begin(), own.end(), [](const IdMapping& a, const IdMapping& b) {
    return a.container_id < b.container_id;
  });
  std::vector<IdMapping> out;
  for (const IdMapping& m : own) {
    if (m.size != 0) out.push_back({m.container_id, m.container_id, m.size});
  }
  return out;
}

std::string FindInPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  dirs += ":/usr/bin:/usr/sbin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t colon = dirs.find(':', start);
    if (colon == std::string::npos) colon = dirs.size();
    std::string dir = dirs.substr(start, colon - start);
    start = colon + 1;
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

Result<void> WriteProcFile(const std::string& path, std::string_view content) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return FailErrno("open " + path, errno);
  // These files take exactly one write(2).
  ssize_t n = ::write(fd.get(), content.data(), content.size());
  if (n < 0) return FailErrno("write " + path, errno);
  if (static_cast<size_t>(n) != content.size()) {
    return Fail(ErrorCode::kIo, "write " + path + ": short write");
  }
  return fd.Close();
}

Result<void> RunHelper(const std::string& helper, pid_t pid, const std::vector<IdMapping>& map) {
  SpawnOptions options;
  options.argv = {helper, std::to_string(pid)};
  for (const IdMapping& m : map) {
    options.argv.push_back(std::to_string(m.container_id));
    options.argv.push_back(std::to_string(m.host_id));
    options.argv.push_back(std::to_string(m.size));
  }
  options.pipe_stderr = true;
  RunResult run = BUILDER_TRY(RunProcess(std::move(options)));
  if (!run.status.ok()) {
    while (!run.err.empty() && run.err.back() == '\n') run.err.pop_back();
    return Fail(ErrorCode::kPermission,
                helper + " failed (" + run.status.ToString() + "): " + run.err);
  }
  return {};
}

}  // namespace

bool IdMaps::MapsUid(uint32_t id) const { return Maps(uids, id); }
bool IdMaps::MapsGid(uint32_t id) const { return Maps(gids, id); }

std::vector<SubIdRange> ParseSubIdFile(std::string_view content, std::string_view user_name,
                                       uint32_t uid) {
  std::vector<SubIdRange> out;
  const std::string uid_text = std::to_string(uid);
  while (!content.empty()) {
    size_t eol = content.find('\n');
    std::string_view line = Trim(content.substr(0, eol));
    content = eol == std::string_view::npos ? std::string_view() : content.substr(eol + 1);
    if (line.empty() || line.front() == '#') continue;
    size_t c1 = line.find(':');
    if (c1 == std::string_view::npos) continue;
    size_t c2 = line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    std::string_view owner = line.substr(0, c1);
    if (owner != uid_text && (user_name.empty() || owner != user_name)) continue;
    SubIdRange range;
    if (!ParseU32(line.substr(c1 + 1, c2 - c1 - 1), &range.start) ||
        !ParseU32(line.substr(c2 + 1), &range.count) || range.count == 0) {
      continue;
    }
    out.push_back(range);
  }
  return out;
}

IdMaps ComputeIdMaps(uint32_t uid, uint32_t gid, const std::vector<SubIdRange>& subuids,
                     const std::vector<SubIdRange>& subgids, bool helpers_available) {
  IdMaps maps;
  if (uid == 0) {
    // 4294967295 is (uid_t)-1, never a valid id, so the full range is one short of 2^32.
    return IdentityIdMaps({{0, 0, 0xFFFFFFFFu}}, {{0, 0, 0xFFFFFFFFu}});
  }
  maps.uids = {{0, uid, 1}};
  maps.gids = {{0, gid, 1}};
  if (helpers_available && !subuids.empty() && !subgids.empty()) {
    AppendRanges(&maps.uids, subuids);
    AppendRanges(&maps.gids, subgids);
    maps.use_helpers = true;
    return maps;
  }
  maps.setgroups_allowed = false;
  return maps;
}

Result<std::vector<IdMapping>> ParseProcIdMap(std::string_view text) {
  std::vector<IdMapping> out;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    ++line_no;
    uint32_t fields[3];
    size_t n = 0;
    for (;;) {
      line = Trim(line);
      if (line.empty()) break;
      size_t end = std::min(line.find_first_of(" \t"), line.size());
      if (n == 3 || !ParseU32(line.substr(0, end), &fields[n])) {
        n = 4;  // malformed
        break;
      }
      ++n;
      line.remove_prefix(end);
    }
    if (n == 0) continue;
    if (n != 3) {
      return Fail(ErrorCode::kCorrupt, "id map line " + std::to_string(line_no) +
                                           ": want \"<inside> <outside> <count>\"");
    }
    out.push_back({fields[0], fields[1], fields[2]});
  }
  return out;
}

IdMaps IdentityIdMaps(const std::vector<IdMapping>& own_uids,
                      const std::vector<IdMapping>& own_gids) {
  IdMaps maps;
  maps.uids = Identity(own_uids);
  maps.gids = Identity(own_gids);
  return maps;
}

std::string FormatIdMap(const std::vector<IdMapping>& map) {
  std::string out;
  for (const IdMapping& m : map) {
    out += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " +
           std::to_string(m.size) + "\n";
  }
  return out;
}

Result<IdMaps> IdMapsForCurrentUser() {
  const uid_t uid = ::geteuid();
  const gid_t gid = ::getegid();
  if (uid == 0) {
    auto own_uids = ReadFile("/proc/self/uid_map");
    auto own_gids = ReadFile("/proc/self/gid_map");
    if (!own_uids || !own_gids) return ComputeIdMaps(0, gid, {}, {}, false);
    auto uids = ParseProcIdMap(*own_uids);
    if (!uids) return Fail(std::move(uids.error()).Context("read /proc/self/uid_map"));
    auto gids = ParseProcIdMap(*own_gids);
    if (!gids) return Fail(std::move(gids.error()).Context("read /proc/self/gid_map"));
    IdMaps maps = IdentityIdMaps(*uids, *gids);
    if (maps.uids.empty() || maps.gids.empty()) {
      return Fail(ErrorCode::kUnsupported, "uid 0 has no id map in its user namespace");
    }
    return maps;
  }
  std::string name;
  struct passwd pw, *found = nullptr;
  char buf[4096];
  if (::getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found) name = found->pw_name;
  std::vector<SubIdRange> subuids, subgids;
  if (auto text = ReadFile("/etc/subuid")) subuids = ParseSubIdFile(*text, name, uid);
  if (auto text = ReadFile("/etc/subgid")) subgids = ParseSubIdFile(*text, name, uid);
  const bool helpers = !FindInPath("newuidmap").empty() && !FindInPath("newgidmap").empty();
  return ComputeIdMaps(uid, gid, subuids, subgids, helpers);
}

Result<void> ApplyIdMaps(pid_t pid, const IdMaps& maps) {
  const std::string proc = "/proc/" + std::to_string(pid);
  if (maps.use_helpers) {
    BUILDER_TRY(RunHelper(FindInPath("newuidmap"), pid, maps.uids));
    BUILDER_TRY(RunHelper(FindInPath("newgidmap"), pid, maps.gids));
    return {};
  }
  BUILDER_TRY(WriteProcFile(proc + "/uid_map", FormatIdMap(maps.uids)));
  if (!maps.setgroups_allowed) BUILDER_TRY(WriteProcFile(proc + "/setgroups", "deny"));
  BUILDER_TRY(WriteProcFile(proc + "/gid_map", FormatIdMap(maps.gids)));
  return {};
}

}  // namespace builder::sandbox
