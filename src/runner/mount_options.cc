// -v, --mount and --tmpfs parsing.
#include "runner/mount_options.h"

#include <sys/stat.h>

#include <cerrno>
#include <vector>

#include "base/path.h"

namespace builder::runner {
namespace {

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t i = s.find(sep, start);
    out.emplace_back(s.substr(start, i == std::string_view::npos ? std::string_view::npos : i - start));
    if (i == std::string_view::npos) return out;
    start = i + 1;
  }
}

Result<std::string> Destination(std::string_view dst, std::string_view flag) {
  if (dst.empty() || dst.front() != '/') {
    return Fail(ErrorCode::kInvalidArgument,
                "invalid " + std::string(flag) + " \"" + std::string(dst) +
                    "\": the destination must be an absolute path");
  }
  std::string clean = CleanPath(dst);
  if (clean == "/") {
    return Fail(ErrorCode::kInvalidArgument,
                "invalid " + std::string(flag) + ": destination can't be '/'");
  }
  return clean;
}

}  // namespace

Result<MountSpec> ParseVolumeFlag(std::string_view text) {
  std::vector<std::string> parts = Split(text, ':');
  MountSpec m;
  if (parts.size() == 1) {
    // -v /dst alone: an anonymous volume.
    m.type = "volume";
    m.destination = BUILDER_TRY(Destination(parts[0], "volume specification"));
    return m;
  }
  if (parts.size() > 3 || parts[0].empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "invalid volume specification: '" + std::string(text) + "'");
  }
  m.source = parts[0];
  m.type = m.source.front() == '/' ? "bind" : "volume";
  if (m.type == "bind") m.source = CleanPath(m.source);
  m.destination = BUILDER_TRY(Destination(parts[1], "volume specification"));
  if (parts.size() == 3) {
    for (const std::string& opt : Split(parts[2], ',')) {
      if (opt == "ro") m.read_only = true;
      else if (opt == "rw") m.read_only = false;
      else if (opt != "z" && opt != "Z" && opt != "nocopy" && !opt.ends_with("private") &&
               !opt.ends_with("shared") && !opt.ends_with("slave") && opt != "consistent" &&
               opt != "cached" && opt != "delegated")
        return Fail(ErrorCode::kInvalidArgument, "invalid mode: " + opt);
    }
  }
  return m;
}

Result<MountSpec> ParseMountFlag(std::string_view text) {
  MountSpec m;
  m.type = "";
  std::string size, mode;
  for (const std::string& field : Split(text, ',')) {
    std::size_t eq = field.find('=');
    std::string key = field.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : field.substr(eq + 1);
    if (key == "type") m.type = value;
    else if (key == "source" || key == "src") m.source = value;
    else if (key == "target" || key == "destination" || key == "dst") m.destination = value;
    else if (key == "readonly" || key == "ro") m.read_only = value.empty() || value == "true" || value == "1";
    else if (key == "tmpfs-size") size = value;
    else if (key == "tmpfs-mode") mode = value;
    else if (key == "bind-propagation" || key == "consistency" || key == "volume-nocopy") continue;
    else return Fail(ErrorCode::kInvalidArgument, "invalid field '" + key + "' in --mount " + std::string(text));
  }
  if (m.type.empty()) m.type = "volume";
  if (m.type != "bind" && m.type != "volume" && m.type != "tmpfs") {
    return Fail(ErrorCode::kInvalidArgument, "invalid mount type \"" + m.type + "\"");
  }
  if (m.destination.empty()) return Fail(ErrorCode::kInvalidArgument, "invalid --mount: target is required");
  m.destination = BUILDER_TRY(Destination(m.destination, "mount"));
  if (m.type == "bind") {
    if (m.source.empty() || m.source.front() != '/') {
      return Fail(ErrorCode::kInvalidArgument, "invalid --mount: a bind source must be an absolute path");
    }
    m.source = CleanPath(m.source);
  }
  if (m.type == "tmpfs") {
    if (!m.source.empty()) return Fail(ErrorCode::kInvalidArgument, "invalid --mount: a tmpfs has no source");
    if (!size.empty()) m.options = "size=" + size;
    if (!mode.empty()) m.options += (m.options.empty() ? "mode=" : ",mode=") + mode;
  }
  return m;
}

Result<MountSpec> ParseTmpfsFlag(std::string_view text) {
  MountSpec m;
  m.type = "tmpfs";
  std::size_t colon = text.find(':');
  m.destination = BUILDER_TRY(Destination(text.substr(0, colon), "tmpfs"));
  if (colon != std::string_view::npos) m.options = std::string(text.substr(colon + 1));
  return m;
}

Result<void> PrepareBindSource(const MountSpec& mount, bool create_missing) {
  if (mount.type != "bind") return {};
  struct stat st;
  if (::stat(mount.source.c_str(), &st) == 0) return {};
  if (errno != ENOENT) return FailErrno("bind source " + mount.source, errno);
  if (!create_missing) {
    return Fail(ErrorCode::kNotFound, "invalid mount config for type \"bind\": bind source path does not exist: " + mount.source);
  }
  return MakeDirs(mount.source, 0755);
}

}  // namespace builder::runner
