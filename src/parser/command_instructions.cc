// RUN (--mount, --network, --security) and HEALTHCHECK (durations, retries).
#include <cerrno>
#include <climits>
#include <cstdlib>

#include "parser/node_reader.h"

namespace builder::parser {

namespace {

// Parses one HEALTHCHECK duration flag as BuildKit's parseOptInterval: Go syntax, 0 allowed,
// anything else at least 1ms (Docker's container.MinimumDuration).
Result<std::optional<DurationNs>> DurationFlag(const NodeReader& r, const FlagSet& flags,
                                               std::string_view name) {
  if (!flags.used(name) || flags.value(name).empty()) return std::nullopt;
  auto d = ParseGoDuration(flags.value(name));
  if (!d) return r.AtFlag(flags.index(name), d.error().message());
  if (*d != 0 && *d < kMillisecond) {
    return r.AtFlag(flags.index(name),
                    "Interval \"" + std::string(name) + "\" cannot be less than 1ms");
  }
  return *d;
}

// Go's strconv.ParseInt(v, 10, 32), with its error text.
Result<int> ParseInt32(std::string_view v) {
  auto fail = [&](std::string_view why) {
    return Fail(ErrorCode::kParse,
                "strconv.ParseInt: parsing \"" + std::string(v) + "\": " + std::string(why));
  };
  std::size_t i = 0;
  bool neg = false;
  if (i < v.size() && (v[i] == '+' || v[i] == '-')) neg = v[i++] == '-';
  if (i == v.size()) return fail("invalid syntax");
  long long n = 0;
  bool range = false;
  for (; i < v.size(); ++i) {
    if (v[i] == '_' || v[i] < '0' || v[i] > '9') return fail("invalid syntax");
    if (!range) n = n * 10 + (v[i] - '0');
    if (n > 2147483648LL) range = true;
  }
  if (range || (!neg && n > INT_MAX)) return fail("value out of range");
  return static_cast<int>(neg ? -n : n);
}

}  // namespace

Result<RunInst> ParseRun(const NodeReader& r) {
  const Node& node = r.node();
  FlagSet flags;
  flags.AddStrings("mount");
  flags.AddString("network");
  flags.AddString("security");
  BUILDER_TRY(r.ParseFlags(flags));
  RunInst inst{r.Base()};
  inst.command = {node.args, node.json_form};
  inst.heredocs = node.heredocs;
  if (node.args.empty() && node.heredocs.empty())
    return r.AtKeyword("RUN requires at least one argument");
  for (const auto& o : flags.occurrences("mount")) {
    auto m = ParseMountSpec(o.value);
    if (!m) return r.AtFlag(o.index, m.error().message());
    inst.mounts.push_back(std::move(*m));
  }
  if (flags.used("network")) {
    inst.network = flags.value("network");
    if (inst.network != "default" && inst.network != "none" && inst.network != "host")
      return r.AtFlag(flags.index("network"), "invalid network mode \"" + inst.network + "\"");
  }
  if (flags.used("security")) {
    inst.security = flags.value("security");
    if (inst.security != "sandbox" && inst.security != "insecure")
      return r.AtFlag(flags.index("security"), "security \"" + inst.security + "\" is not valid");
  }
  return inst;
}

Result<HealthcheckInst> ParseHealthcheck(const NodeReader& r) {
  const Node& node = r.node();
  if (node.args.empty()) return r.AtKeyword("HEALTHCHECK requires at least one argument");
  HealthcheckInst inst{r.Base()};
  std::string type = UpperAscii(node.args[0]);
  std::vector<std::string> rest(node.args.begin() + 1, node.args.end());
  if (type == "NONE") {
    // BuildKit ignores flags here; so do we, rather than refuse what it accepts.
    if (!rest.empty()) return r.AtArgs("HEALTHCHECK NONE takes no arguments");
    inst.none = true;
    return inst;
  }
  FlagSet flags;
  flags.AddString("interval");
  flags.AddString("timeout");
  flags.AddString("start-period");
  flags.AddString("start-interval");
  flags.AddString("retries");
  BUILDER_TRY(r.ParseFlags(flags));
  if (type != "CMD") return r.AtArgs("Unknown type \"" + type + "\" in HEALTHCHECK (try CMD)");
  if (rest.empty() || (!node.json_form && rest.size() == 1 && rest[0].empty()))
    return r.AtArgs("Missing command after HEALTHCHECK CMD");
  inst.command = {std::move(rest), node.json_form};
  inst.interval = BUILDER_TRY(DurationFlag(r, flags, "interval"));
  inst.timeout = BUILDER_TRY(DurationFlag(r, flags, "timeout"));
  inst.start_period = BUILDER_TRY(DurationFlag(r, flags, "start-period"));
  inst.start_interval = BUILDER_TRY(DurationFlag(r, flags, "start-interval"));
  if (flags.used("retries") && !flags.value("retries").empty()) {
    auto n = ParseInt32(flags.value("retries"));
    if (!n) return r.AtFlag(flags.index("retries"), n.error().message());
    if (*n < 0)
      return r.AtFlag(flags.index("retries"),
                      "--retries cannot be negative (" + std::to_string(*n) + ")");
    inst.retries = *n;
  }
  return inst;
}

}  // namespace builder::parser
