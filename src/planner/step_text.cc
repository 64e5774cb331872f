// How steps are written for people (progress names, history) and for cache keys (canonical).
#include "planner/step_text.h"

#include <nlohmann/json.hpp>

namespace builder::planner {

std::string JsonArray(const std::vector<std::string>& items) {
  return nlohmann::json(items).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string ShortCommand(const parser::CommandLine& cmd, const std::vector<parser::Heredoc>& docs) {
  std::string text;
  if (cmd.exec_form) {
    text = JsonArray(cmd.args);
  } else {
    for (std::size_t i = 0; i < cmd.args.size(); ++i) text += (i ? " " : "") + cmd.args[i];
  }
  if (!docs.empty()) {
    std::string first = docs[0].content.substr(0, docs[0].content.find('\n'));
    text += " (" + first + (docs[0].content.find('\n') + 1 < docs[0].content.size() ? "...)" : ")");
  }
  return text;
}

std::string RunCreatedBy(const std::vector<std::pair<std::string, std::string>>& args,
                         const std::vector<std::string>& argv, bool shell_form) {
  std::string out = "RUN ";
  if (!args.empty()) {
    out += "|" + std::to_string(args.size());
    for (const auto& [k, v] : args) out += " " + k + "=" + v;
    out += " ";
  }
  if (shell_form) {
    for (std::size_t i = 0; i < argv.size(); ++i) out += (i ? " " : "") + argv[i];
  } else {
    out += JsonArray(argv);
  }
  return out + " # buildkit";
}

std::string CopyArgsText(const CopyStep& step) {
  std::string out;
  if (!step.chown.empty()) out += "--chown=" + step.chown + " ";
  if (!step.chmod.empty()) out += "--chmod=" + step.chmod + " ";
  if (step.parents) out += "--parents ";
  for (const auto& e : step.excludes) out += "--exclude=" + e + " ";
  for (const auto& s : step.sources) out += s + " ";
  for (const auto& f : step.inline_files) out += "<<" + f.name + " ";
  return out + step.dest;
}

std::string CanonicalRun(const RunStep& step,
                         const std::vector<std::pair<std::string, std::string>>& args) {
  nlohmann::json j;
  j["op"] = "run";
  j["argv"] = step.argv;
  j["env"] = step.env;
  j["cwd"] = step.cwd;
  j["user"] = step.user;
  j["network"] = step.network;
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : step.files) files.push_back({f.path, f.content, f.mode});
  j["files"] = files;
  nlohmann::json mounts = nlohmann::json::array();
  for (const auto& m : step.mounts) {
    nlohmann::json one = {m.type, m.target, m.source, m.from_stage, m.from_image, m.read_only, m.cache_id,
                          m.mode, m.uid, m.gid};
    // Secret and ssh mounts are keyed by their ids, never their values (BuildKit's too).
    if (m.type == "secret" || m.type == "ssh") one.push_back({m.secret_id, m.secret_env, m.required});
    mounts.push_back(std::move(one));
  }
  j["mounts"] = mounts;
  nlohmann::json a = nlohmann::json::array();
  for (const auto& [k, v] : args) a.push_back({k, v});
  j["args"] = a;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string CanonicalCopy(const CopyStep& step) {
  nlohmann::json j;
  j["op"] = step.add ? "add" : "copy";
  j["sources"] = step.sources;
  nlohmann::json inl = nlohmann::json::array();
  for (const auto& f : step.inline_files) inl.push_back({f.name, f.content});
  j["inline"] = inl;
  j["dest"] = step.dest;
  j["chown"] = step.chown;
  j["chmod"] = step.chmod;
  j["excludes"] = step.excludes;
  j["parents"] = step.parents;
  j["checksum"] = step.checksum;
  j["unpack"] = step.unpack;
  if (step.link) j["link"] = true;  // only when set: keys of plain COPYs stay as they were
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace builder::planner
