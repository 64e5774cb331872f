// Image config parsing (tolerant of Docker's legacy fields) and canonical serialization.
#include "oci/image_config.h"

#include <limits>

#include "oci/json_codec.h"

namespace builder::oci {
namespace {

Result<Healthcheck> ReadHealthcheck(const json::Value& v, std::string_view path) {
  BUILDER_TRY(json::ExpectObject(v, path));
  Healthcheck h;
  h.test = BUILDER_TRY(json::StringArray(v, path, "Test"));
  h.interval = BUILDER_TRY(json::Int64(v, path, "Interval", false));
  h.timeout = BUILDER_TRY(json::Int64(v, path, "Timeout", false));
  h.start_period = BUILDER_TRY(json::Int64(v, path, "StartPeriod", false));
  h.start_interval = BUILDER_TRY(json::Int64(v, path, "StartInterval", false));
  std::int64_t retries = BUILDER_TRY(json::Int64(v, path, "Retries", false));
  if (retries < std::numeric_limits<int>::min() || retries > std::numeric_limits<int>::max()) {
    return json::FieldError(json::Join(path, "Retries"), "integer out of range");
  }
  h.retries = static_cast<int>(retries);
  return h;
}

Result<ContainerConfig> ReadContainerConfig(const json::Value& v, std::string_view path) {
  BUILDER_TRY(json::ExpectObject(v, path));
  ContainerConfig c;
  c.user = BUILDER_TRY(json::String(v, path, "User"));
  c.exposed_ports = BUILDER_TRY(json::KeySet(v, path, "ExposedPorts"));
  c.env = BUILDER_TRY(json::StringArray(v, path, "Env"));
  for (std::size_t i = 0; i < c.env.size(); ++i) {
    std::size_t eq = c.env[i].find('=');
    if (eq == std::string::npos || eq == 0) {
      return json::FieldError(json::Join(path, "Env") + "[" + std::to_string(i) + "]",
                              "\"" + c.env[i] + "\" is not KEY=value");
    }
  }
  c.entrypoint = BUILDER_TRY(json::StringArray(v, path, "Entrypoint"));
  c.cmd = BUILDER_TRY(json::StringArray(v, path, "Cmd"));
  c.volumes = BUILDER_TRY(json::KeySet(v, path, "Volumes"));
  c.working_dir = BUILDER_TRY(json::String(v, path, "WorkingDir"));
  c.labels = BUILDER_TRY(json::StringMap(v, path, "Labels"));
  c.stop_signal = BUILDER_TRY(json::String(v, path, "StopSignal"));
  c.args_escaped = BUILDER_TRY(json::Bool(v, path, "ArgsEscaped"));
  if (const json::Value* h = json::Find(v, "Healthcheck")) {
    c.healthcheck = BUILDER_TRY(ReadHealthcheck(*h, json::Join(path, "Healthcheck")));
  }
  c.on_build = BUILDER_TRY(json::StringArray(v, path, "OnBuild"));
  c.shell = BUILDER_TRY(json::StringArray(v, path, "Shell"));
  return c;
}

Result<RootFs> ReadRootFs(const json::Value& v, std::string_view path) {
  BUILDER_TRY(json::ExpectObject(v, path));
  RootFs r;
  r.type = BUILDER_TRY(json::RequiredString(v, path, "type"));
  if (r.type != "layers") {
    return json::FieldError(json::Join(path, "type"),
                            "unsupported rootfs type \"" + r.type + "\" (want \"layers\")");
  }
  std::vector<std::string> ids = BUILDER_TRY(json::StringArray(v, path, "diff_ids"));
  r.diff_ids.reserve(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto d = Digest::Parse(ids[i]);
    if (!d) {
      return json::FieldError(json::Join(path, "diff_ids") + "[" + std::to_string(i) + "]",
                              d.error().message());
    }
    r.diff_ids.push_back(*d);
  }
  return r;
}

Result<HistoryEntry> ReadHistory(const json::Value& v, std::string_view path) {
  BUILDER_TRY(json::ExpectObject(v, path));
  HistoryEntry h;
  h.created = BUILDER_TRY(json::String(v, path, "created"));
  h.created_by = BUILDER_TRY(json::String(v, path, "created_by"));
  h.author = BUILDER_TRY(json::String(v, path, "author"));
  h.comment = BUILDER_TRY(json::String(v, path, "comment"));
  h.empty_layer = BUILDER_TRY(json::Bool(v, path, "empty_layer"));
  return h;
}

json::Ordered WriteContainerConfig(const ContainerConfig& c) {
  json::Ordered out = json::Ordered::object();
  if (!c.user.empty()) out["User"] = c.user;
  if (!c.exposed_ports.empty()) out["ExposedPorts"] = json::FromKeySet(c.exposed_ports);
  if (!c.env.empty()) out["Env"] = json::FromStrings(c.env);
  if (!c.entrypoint.empty()) out["Entrypoint"] = json::FromStrings(c.entrypoint);
  if (!c.cmd.empty()) out["Cmd"] = json::FromStrings(c.cmd);
  if (!c.volumes.empty()) out["Volumes"] = json::FromKeySet(c.volumes);
  if (!c.working_dir.empty()) out["WorkingDir"] = c.working_dir;
  if (!c.labels.empty()) out["Labels"] = json::FromStringMap(c.labels);
  if (!c.stop_signal.empty()) out["StopSignal"] = c.stop_signal;
  if (c.args_escaped) out["ArgsEscaped"] = true;
  if (c.healthcheck) {
    const Healthcheck& h = *c.healthcheck;
    json::Ordered hc = json::Ordered::object();
    if (!h.test.empty()) hc["Test"] = json::FromStrings(h.test);
    if (h.interval != 0) hc["Interval"] = h.interval;
    if (h.timeout != 0) hc["Timeout"] = h.timeout;
    if (h.start_period != 0) hc["StartPeriod"] = h.start_period;
    if (h.start_interval != 0) hc["StartInterval"] = h.start_interval;
    if (h.retries != 0) hc["Retries"] = h.retries;
    out["Healthcheck"] = std::move(hc);
  }
  if (!c.on_build.empty()) out["OnBuild"] = json::FromStrings(c.on_build);
  if (!c.shell.empty()) out["Shell"] = json::FromStrings(c.shell);
  return out;
}

}  // namespace

Result<ImageConfig> ImageConfig::Parse(std::string_view text) {
  constexpr std::string_view kPath = "config";
  json::Value doc = BUILDER_TRY(json::ParseObject(text, kPath));
  ImageConfig c;
  c.created = BUILDER_TRY(json::String(doc, kPath, "created"));
  c.author = BUILDER_TRY(json::String(doc, kPath, "author"));
  c.architecture = BUILDER_TRY(json::RequiredString(doc, kPath, "architecture"));
  c.os = BUILDER_TRY(json::RequiredString(doc, kPath, "os"));
  c.os_version = BUILDER_TRY(json::String(doc, kPath, "os.version"));
  c.os_features = BUILDER_TRY(json::StringArray(doc, kPath, "os.features"));
  c.variant = BUILDER_TRY(json::String(doc, kPath, "variant"));
  if (const json::Value* cc = json::Find(doc, "config")) {
    c.config = BUILDER_TRY(ReadContainerConfig(*cc, "config.config"));
  }
  const json::Value* rootfs = json::Find(doc, "rootfs");
  if (rootfs == nullptr) return json::FieldError("config.rootfs", "required field missing");
  c.rootfs = BUILDER_TRY(ReadRootFs(*rootfs, "config.rootfs"));
  if (const json::Value* history = json::Find(doc, "history")) {
    if (!history->is_array()) {
      return json::FieldError("config.history",
                              std::string("expected an array, got ") + history->type_name());
    }
    c.history.reserve(history->size());
    for (std::size_t i = 0; i < history->size(); ++i) {
      c.history.push_back(
          BUILDER_TRY(ReadHistory((*history)[i], "config.history[" + std::to_string(i) + "]")));
    }
  }
  return c;
}

std::string ImageConfig::Serialize() const {
  json::Ordered out = json::Ordered::object();
  if (!created.empty()) out["created"] = created;
  if (!author.empty()) out["author"] = author;
  out["architecture"] = architecture;
  out["os"] = os;
  if (!os_version.empty()) out["os.version"] = os_version;
  if (!os_features.empty()) out["os.features"] = json::FromStrings(os_features);
  if (!variant.empty()) out["variant"] = variant;
  out["config"] = WriteContainerConfig(config);
  json::Ordered rootfs_json = json::Ordered::object();
  rootfs_json["type"] = rootfs.type;
  json::Ordered ids = json::Ordered::array();
  for (const Digest& d : rootfs.diff_ids) ids.push_back(d.str());
  rootfs_json["diff_ids"] = std::move(ids);
  out["rootfs"] = std::move(rootfs_json);
  if (!history.empty()) {
    json::Ordered entries = json::Ordered::array();
    for (const HistoryEntry& h : history) {
      json::Ordered e = json::Ordered::object();
      if (!h.created.empty()) e["created"] = h.created;
      if (!h.created_by.empty()) e["created_by"] = h.created_by;
      if (!h.author.empty()) e["author"] = h.author;
      if (!h.comment.empty()) e["comment"] = h.comment;
      if (h.empty_layer) e["empty_layer"] = true;
      entries.push_back(std::move(e));
    }
    out["history"] = std::move(entries);
  }
  return json::Dump(out);
}

std::vector<Digest> RootFs::ChainIds() const {
  std::vector<Digest> out;
  out.reserve(diff_ids.size());
  for (const Digest& id : diff_ids) {
    out.push_back(out.empty() ? id : Digest::Of(out.back().str() + " " + id.str()));
  }
  return out;
}

Platform ImageConfig::platform() const {
  Platform p;
  p.os = os;
  p.architecture = architecture;
  p.variant = variant;
  p.os_version = os_version;
  p.os_features = os_features;
  return p;
}

void ImageConfig::set_platform(const Platform& p) {
  os = p.os;
  architecture = p.architecture;
  variant = p.variant;
  os_version = p.os_version;
  os_features = p.os_features;
}

}  // namespace builder::oci
