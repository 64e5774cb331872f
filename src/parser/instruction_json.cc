// JSON rendering of typed instructions, keys in a fixed order (nlohmann::ordered_json).
#include "parser/instruction_json.h"

#include <nlohmann/json.hpp>

namespace builder::parser {

namespace {

using Json = nlohmann::ordered_json;

Json Pos(const SourcePos& p) { return Json{{"line", p.line}, {"col", p.col}}; }
Json Range(const SourceRange& r) { return Json{{"start", Pos(r.start)}, {"end", Pos(r.end)}}; }

template <class T>
Json OrNull(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json Strings(const std::vector<std::string>& v) {
  Json a = Json::array();
  for (const auto& s : v) a.push_back(s);
  return a;
}

Json Command(const CommandLine& c) {
  return Json{{"args", Strings(c.args)}, {"exec_form", c.exec_form}};
}

Json Pairs(const std::vector<KeyValue>& kvs) {
  Json a = Json::array();
  for (const auto& kv : kvs) a.push_back(Json{{"key", kv.key}, {"value", kv.value}});
  return a;
}

Json Mount(const MountSpec& m) {
  return Json{{"type", m.type},
              {"from", m.from},
              {"source", m.source},
              {"target", m.target},
              {"read_only", m.read_only},
              {"required", m.required},
              {"id", m.id},
              {"sharing", m.sharing},
              {"mode", m.mode},
              {"uid", m.uid},
              {"gid", m.gid},
              {"size", m.size},
              {"env", m.env}};
}

void CopyFields(const CopyBase& c, Json& j) {
  j["sources"] = Strings(c.sources);
  Json docs = Json::array();
  for (const auto& h : c.heredocs) {
    docs.push_back(
        Json{{"name", h.name}, {"content", h.content}, {"expand", h.expand}, {"chomp", h.chomp}});
  }
  j["heredocs"] = std::move(docs);
  j["dest"] = c.dest;
  j["json_form"] = c.json_form;
  j["chown"] = c.chown;
  j["chmod"] = c.chmod;
  j["link"] = c.link;
  j["excludes"] = Strings(c.excludes);
}

Json InstructionJson(const Instruction& inst);

// Adds the kind-specific fields; one overload per instruction type.
struct Fields {
  Json& j;
  void operator()(const ArgInst& i) const {
    Json a = Json::array();
    for (const auto& d : i.args) a.push_back(Json{{"key", d.key}, {"value", OrNull(d.value)}});
    j["args"] = std::move(a);
  }
  void operator()(const EnvInst& i) const {
    j["vars"] = Pairs(i.vars);
    j["legacy_form"] = i.legacy_form;
  }
  void operator()(const LabelInst& i) const {
    j["labels"] = Pairs(i.labels);
    j["legacy_form"] = i.legacy_form;
  }
  void operator()(const RunInst& i) const {
    j["command"] = Command(i.command);
    Json docs = Json::array();
    for (const auto& h : i.heredocs) {
      docs.push_back(Json{{"name", h.name},
                          {"content", h.content},
                          {"expand", h.expand},
                          {"chomp", h.chomp},
                          {"fd", h.fd}});
    }
    j["heredocs"] = std::move(docs);
    Json mounts = Json::array();
    for (const auto& m : i.mounts) mounts.push_back(Mount(m));
    j["mounts"] = std::move(mounts);
    j["network"] = i.network;
    j["security"] = i.security;
  }
  void operator()(const CmdInst& i) const { j["command"] = Command(i.command); }
  void operator()(const EntrypointInst& i) const { j["command"] = Command(i.command); }
  void operator()(const ShellInst& i) const { j["shell"] = Strings(i.shell); }
  void operator()(const WorkdirInst& i) const { j["path"] = i.path; }
  void operator()(const UserInst& i) const { j["user"] = i.user; }
  void operator()(const CopyInst& i) const {
    CopyFields(i, j);
    j["from"] = i.from;
    j["parents"] = i.parents;
  }
  void operator()(const AddInst& i) const {
    CopyFields(i, j);
    j["checksum"] = i.checksum;
    j["keep_git_dir"] = i.keep_git_dir;
    j["unpack"] = OrNull(i.unpack);
  }
  void operator()(const ExposeInst& i) const { j["ports"] = Strings(i.ports); }
  void operator()(const VolumeInst& i) const {
    j["volumes"] = Strings(i.volumes);
    j["json_form"] = i.json_form;
  }
  void operator()(const HealthcheckInst& i) const {
    j["none"] = i.none;
    j["command"] = Command(i.command);
    j["interval_ns"] = OrNull(i.interval);
    j["timeout_ns"] = OrNull(i.timeout);
    j["start_period_ns"] = OrNull(i.start_period);
    j["start_interval_ns"] = OrNull(i.start_interval);
    j["retries"] = OrNull(i.retries);
  }
  void operator()(const StopsignalInst& i) const { j["signal"] = i.signal; }
  void operator()(const MaintainerInst& i) const { j["maintainer"] = i.maintainer; }
  void operator()(const OnbuildInst& i) const {
    j["expression"] = i.expression;
    j["trigger"] = i.trigger.empty() ? Json(nullptr) : InstructionJson(i.trigger.front());
  }
};

Json Header(const char* kind, const InstructionBase& b) {
  return Json{{"kind", kind}, {"range", Range(b.range)}, {"original", b.original}};
}

Json InstructionJson(const Instruction& inst) {
  Json j = Header(InstructionKind(inst), InstructionHeader(inst));
  std::visit(Fields{j}, static_cast<const InstructionVariant&>(inst));
  return j;
}

}  // namespace

std::string DumpInstructionsJson(const Dockerfile& df, int indent) {
  Json root;
  root["directives"] = Json{{"syntax", OrNull(df.directives.syntax)},
                            {"check", OrNull(df.directives.check)},
                            {"escape", std::string(1, df.directives.escape)}};
  Json warnings = Json::array();
  for (const auto& w : df.warnings)
    warnings.push_back(Json{{"line", w.pos.line}, {"col", w.pos.col}, {"message", w.message}});
  root["warnings"] = std::move(warnings);
  Json meta = Json::array();
  for (const auto& a : df.meta_args) {
    Json j = Header("arg", a);
    Fields{j}(a);
    meta.push_back(std::move(j));
  }
  root["meta_args"] = std::move(meta);
  Json stages = Json::array();
  for (std::size_t s = 0; s < df.stages.size(); ++s) {
    const Stage& st = df.stages[s];
    Json insts = Json::array();
    for (const auto& inst : st.instructions) insts.push_back(InstructionJson(inst));
    stages.push_back(Json{{"index", s},
                          {"name", st.name.empty() ? Json(nullptr) : Json(st.name)},
                          {"base", st.base},
                          {"platform", OrNull(st.platform)},
                          {"range", Range(st.range)},
                          {"original", st.original},
                          {"instructions", std::move(insts)}});
  }
  root["stages"] = std::move(stages);
  return root.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace builder::parser
