// Resolving USER and --chown names through the image's own /etc/passwd and /etc/group.
#include "oci/user_db.h"

#include <charconv>
#include <optional>
#include <sstream>

namespace builder::oci {
namespace {

std::optional<unsigned long> Numeric(const std::string& s) {
  if (s.empty()) return std::nullopt;
  unsigned long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::vector<std::vector<std::string>> Records(const std::string& text) {
  std::vector<std::vector<std::string>> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    std::size_t i = 0;
    while (true) {
      std::size_t j = line.find(':', i);
      fields.push_back(line.substr(i, j == std::string::npos ? std::string::npos : j - i));
      if (j == std::string::npos) break;
      i = j + 1;
    }
    out.push_back(std::move(fields));
  }
  return out;
}

Result<ResolvedUser> Resolve(const MergedView& view, const std::string& spec, bool chown) {
  ResolvedUser out;
  std::string_view user_part = spec, group_part;
  if (auto colon = spec.find(':'); colon != std::string::npos) {
    user_part = std::string_view(spec).substr(0, colon);
    group_part = std::string_view(spec).substr(colon + 1);
  }
  // No USER means uid 0, which needs no passwd entry (an image without /etc/passwd still runs).
  const std::string user(user_part.empty() ? std::string_view("0") : user_part);
  const std::string group(group_part);
  auto passwd = view.ReadFile("/etc/passwd");
  auto pw = passwd ? Records(*passwd) : std::vector<std::vector<std::string>>{};
  std::string user_name;
  bool found = false;
  if (auto n = Numeric(user)) {
    out.uid = static_cast<uid_t>(*n);
    for (const auto& r : pw) {
      if (r.size() >= 4 && Numeric(r[2]) == n) {
        out.gid = static_cast<gid_t>(Numeric(r[3]).value_or(0));
        if (r.size() >= 6 && !r[5].empty()) out.home = r[5];
        user_name = r[0];
        found = true;
        break;
      }
    }
    if (chown || !found) out.gid = chown ? out.uid : 0;
  } else {
    for (const auto& r : pw) {
      if (r.size() >= 4 && r[0] == user) {
        out.uid = static_cast<uid_t>(Numeric(r[2]).value_or(0));
        out.gid = static_cast<gid_t>(Numeric(r[3]).value_or(0));
        if (r.size() >= 6 && !r[5].empty()) out.home = r[5];
        user_name = user;
        found = true;
        break;
      }
    }
    if (!found)
      return Fail(ErrorCode::kNotFound,
                  "unable to find user " + user + ": no matching entries in passwd file");
    if (chown) out.gid = out.uid;
  }
  auto grp_text = view.ReadFile("/etc/group");
  auto gr = grp_text ? Records(*grp_text) : std::vector<std::vector<std::string>>{};
  if (!group.empty()) {
    if (auto n = Numeric(group)) {
      out.gid = static_cast<gid_t>(*n);
    } else {
      bool gfound = false;
      for (const auto& r : gr) {
        if (r.size() >= 3 && r[0] == group) {
          out.gid = static_cast<gid_t>(Numeric(r[2]).value_or(0));
          gfound = true;
          break;
        }
      }
      if (!gfound)
        return Fail(ErrorCode::kNotFound,
                    "unable to find group " + group + ": no matching entries in group file");
    }
  }
  if (!chown && !user_name.empty()) {
    for (const auto& r : gr) {
      if (r.size() < 4) continue;
      std::istringstream members(r[3]);
      std::string m;
      while (std::getline(members, m, ',')) {
        if (m == user_name) out.groups.push_back(static_cast<gid_t>(Numeric(r[2]).value_or(0)));
      }
    }
  }
  return out;
}

}  // namespace

Result<ResolvedUser> ResolveRunUser(const MergedView& view, const std::string& spec) {
  return Resolve(view, spec, false);
}

Result<ResolvedUser> ResolveChown(const MergedView& view, const std::string& spec) {
  return Resolve(view, spec, true);
}

}  // namespace builder::oci
