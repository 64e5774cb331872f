// Docker seccomp JSON profiles (docker run --security-opt seccomp=FILE) compiled to BPF.
#include "sandbox/seccomp_profile.h"

#include <errno.h>
#include <seccomp.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sandbox/capabilities.h"

namespace builder::sandbox {
namespace {

using json = nlohmann::json;

struct CtxDeleter {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using UniqueCtx = std::unique_ptr<void, CtxDeleter>;

std::unexpected<Error> Bad(const std::string& what) {
  return Fail(ErrorCode::kParse, "seccomp profile: " + what);
}

Result<uint32_t> Action(const std::string& name, const json& errno_ret, int default_errno) {
  int err = errno_ret.is_number_integer() ? errno_ret.get<int>() : default_errno;
  if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(static_cast<uint16_t>(err));
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  return Bad("unsupported action " + name);
}

Result<scmp_compare> Op(const std::string& name) {
  static const std::map<std::string, scmp_compare> kOps = {
      {"SCMP_CMP_NE", SCMP_CMP_NE}, {"SCMP_CMP_LT", SCMP_CMP_LT},
      {"SCMP_CMP_LE", SCMP_CMP_LE}, {"SCMP_CMP_EQ", SCMP_CMP_EQ},
      {"SCMP_CMP_GE", SCMP_CMP_GE}, {"SCMP_CMP_GT", SCMP_CMP_GT},
      {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};
  auto it = kOps.find(name);
  if (it == kOps.end()) return Bad("unsupported op " + name);
  return it->second;
}

// "SCMP_ARCH_X86_64" -> libseccomp's token; 0 when this libseccomp does not know it.
uint32_t ArchToken(const std::string& name) {
  std::string lower = name.starts_with("SCMP_ARCH_") ? name.substr(10) : name;
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return seccomp_arch_resolve_name(lower.c_str());
}

// Docker's GOARCH names in includes/excludes.arches.
bool IsNativeArch(const std::string& arch) {
#if defined(__x86_64__)
  return arch == "amd64" || arch == "x86_64" || arch == "x32" || arch == "386";
#elif defined(__aarch64__)
  return arch == "arm64" || arch == "arm";
#else
  return false;
#endif
}

bool HasCap(uint64_t caps, const std::string& name) {
  auto mask = CapabilityByName(name);
  return mask && (caps & *mask) == *mask;
}

// Whether a syscalls[] entry applies, given its includes/excludes.
bool Applies(const json& rule, uint64_t caps) {
  if (const auto inc = rule.find("includes"); inc != rule.end() && inc->is_object()) {
    for (const auto& c : inc->value("caps", json::array())) {
      if (c.is_string() && !HasCap(caps, c.get<std::string>())) return false;
    }
    const json arches = inc->value("arches", json::array());
    if (!arches.empty()) {
      bool any = false;
      for (const auto& a : arches) any = any || (a.is_string() && IsNativeArch(a.get<std::string>()));
      if (!any) return false;
    }
  }
  if (const auto exc = rule.find("excludes"); exc != rule.end() && exc->is_object()) {
    for (const auto& c : exc->value("caps", json::array())) {
      if (c.is_string() && HasCap(caps, c.get<std::string>())) return false;
    }
    for (const auto& a : exc->value("arches", json::array())) {
      if (a.is_string() && IsNativeArch(a.get<std::string>())) return false;
    }
  }
  return true;
}

Result<std::vector<scmp_arg_cmp>> Conditions(const json& args) {
  std::vector<scmp_arg_cmp> out;
  if (args.is_null()) return out;
  if (!args.is_array()) return Bad("args must be an array");
  for (const json& a : args) {
    if (!a.is_object() || !a.contains("index") || !a.contains("op")) {
      return Bad("each arg needs index and op");
    }
    const unsigned index = a.value("index", 0U);
    if (index > 5) return Bad("arg index out of range: " + std::to_string(index));
    scmp_compare op = BUILDER_TRY(Op(a.value("op", std::string())));
    out.push_back(scmp_arg_cmp{index, op, a.value("value", uint64_t{0}),
                               a.value("valueTwo", uint64_t{0})});
  }
  return out;
}

Result<void> AddRule(void* ctx, uint32_t action, int nr, const std::vector<scmp_arg_cmp>& conds,
                     const std::string& name) {
  // libseccomp ANDs conditions and cannot test one argument twice: same-index conditions
  // become one rule each (an OR), as runc does.
  bool repeated = false;
  for (size_t i = 0; i < conds.size(); ++i) {
    for (size_t j = i + 1; j < conds.size(); ++j) repeated = repeated || conds[i].arg == conds[j].arg;
  }
  auto add = [&](const scmp_arg_cmp* c, unsigned n) -> Result<void> {
    int rc = seccomp_rule_add_array(ctx, action, nr, n, c);
    if (rc < 0) return FailErrno("seccomp profile: rule for " + name, -rc);
    return {};
  };
  if (!repeated) return add(conds.data(), static_cast<unsigned>(conds.size()));
  for (const scmp_arg_cmp& c : conds) BUILDER_TRY(add(&c, 1));
  return {};
}

}  // namespace

Result<SeccompProgram> BuildSeccompProgramFromProfile(std::string_view text, uint64_t caps) {
  const json profile = json::parse(text, nullptr, false);
  if (profile.is_discarded() || !profile.is_object()) return Bad("not a JSON object");
  const int default_errno = profile.value("defaultErrnoRet", EPERM);
  const std::string default_name = profile.value("defaultAction", std::string());
  if (default_name.empty()) return Bad("defaultAction is missing");
  const uint32_t default_action = BUILDER_TRY(Action(default_name, json(), default_errno));
  UniqueCtx ctx(seccomp_init(default_action));
  if (!ctx) return Fail(ErrorCode::kInternal, "seccomp_init failed");
  // Installed by hand, with or without no_new_privs: libseccomp must not set it.
  if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0); rc < 0) {
    return FailErrno("seccomp: attr nnp", -rc);
  }
  std::vector<std::string> arches;
  for (const json& a : profile.value("architectures", json::array())) {
    if (a.is_string()) arches.push_back(a.get<std::string>());
  }
  for (const json& m : profile.value("archMap", json::array())) {
    if (!m.is_object()) continue;
    if (!IsNativeArch(m.value("architecture", std::string())) &&
        ArchToken(m.value("architecture", std::string())) != seccomp_arch_native()) {
      continue;
    }
    arches.push_back(m.value("architecture", std::string()));
    for (const json& sub : m.value("subArchitectures", json::array())) {
      if (sub.is_string()) arches.push_back(sub.get<std::string>());
    }
  }
  for (const std::string& arch : arches) {
    const uint32_t token = ArchToken(arch);
    if (token == 0) return Bad("unknown architecture " + arch);
    int rc = seccomp_arch_add(ctx.get(), token);
    if (rc < 0 && rc != -EEXIST) return FailErrno("seccomp profile: add arch " + arch, -rc);
  }
  const json syscalls = profile.value("syscalls", json::array());
  if (!syscalls.is_array()) return Bad("syscalls must be an array");
  for (const json& rule : syscalls) {
    if (!rule.is_object()) return Bad("each syscalls entry must be an object");
    if (!Applies(rule, caps)) continue;
    const uint32_t action = BUILDER_TRY(Action(rule.value("action", std::string()),
                                               rule.value("errnoRet", json()), default_errno));
    const std::vector<scmp_arg_cmp> conds = BUILDER_TRY(Conditions(rule.value("args", json())));
    std::vector<std::string> names;
    for (const json& n : rule.value("names", json::array())) {
      if (n.is_string()) names.push_back(n.get<std::string>());
    }
    if (rule.contains("name") && rule["name"].is_string()) names.push_back(rule["name"]);
    // libseccomp refuses a rule that repeats the default action; it would change nothing.
    if (action == default_action) continue;
    for (const std::string& name : names) {
      const int nr = seccomp_syscall_resolve_name(name.c_str());
      if (nr == __NR_SCMP_ERROR) continue;
      BUILDER_TRY(AddRule(ctx.get(), action, nr, conds, name));
    }
  }
  SeccompProgram program;
  program.filters.push_back(BUILDER_TRY(ExportSeccompBpf(ctx.get())));
  return program;
}

}  // namespace builder::sandbox
