// The network records and their address leases, one JSON file per network, under an flock.
#include "runner/network/network_store.h"

#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "base/file_lock.h"
#include "base/path.h"
#include "base/staged_file.h"
#include "runner/network/address_claims.h"

namespace builder::runner::network {
namespace {

using nlohmann::json;

struct Record {
  NetworkInfo info;
  std::vector<Lease> leases;
};

std::string RandomId() {
  unsigned char bytes[32];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
  }
  static const char* hex = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id += hex[b >> 4];
    id += hex[b & 15];
  }
  return id;
}

std::string NowRfc3339() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

json PortToJson(const PortMapping& p) {
  return {{"host_ip", p.host_ip}, {"host_port", p.host_port}, {"container_port", p.container_port},
          {"protocol", p.protocol}};
}

json ToJson(const Record& r) {
  json leases = json::array();
  for (const Lease& l : r.leases) {
    json ports = json::array();
    for (const PortMapping& p : l.ports) ports.push_back(PortToJson(p));
    leases.push_back({{"container_id", l.container_id}, {"name", l.name}, {"aliases", l.aliases},
                      {"address", l.address}, {"veth", l.veth}, {"interface", l.interface}, {"holder_pid", l.holder_pid},
                      {"holder_start", l.holder_start}, {"hosts_file", l.hosts_file},
                      {"hostname", l.hostname}, {"extra_hosts", l.extra_hosts},
                      {"ports", ports}});
  }
  const NetworkInfo& n = r.info;
  return {{"id", n.id},          {"name", n.name},         {"driver", n.driver},
          {"subnet", n.subnet},  {"gateway", n.gateway},   {"bridge", n.bridge},
          {"internal", n.internal}, {"labels", n.labels},  {"created", n.created},
          {"leases", leases}};
}

Result<Record> FromJson(const std::string& text, const std::string& path) {
  try {
    json j = json::parse(text);
    Record r;
    NetworkInfo& n = r.info;
    n.id = j.at("id").get<std::string>();
    n.name = j.at("name").get<std::string>();
    n.driver = j.value("driver", "bridge");
    n.subnet = j.at("subnet").get<std::string>();
    n.gateway = j.at("gateway").get<std::string>();
    n.bridge = j.at("bridge").get<std::string>();
    n.internal = j.value("internal", false);
    n.labels = j.value("labels", std::map<std::string, std::string>{});
    n.created = j.value("created", "");
    for (const json& l : j.value("leases", json::array())) {
      Lease lease;
      lease.container_id = l.at("container_id").get<std::string>();
      lease.name = l.value("name", "");
      lease.aliases = l.value("aliases", std::vector<std::string>{});
      lease.address = l.at("address").get<std::string>();
      lease.veth = l.value("veth", "");
      lease.interface = l.value("interface", "eth0");
      lease.holder_pid = l.value("holder_pid", 0);
      lease.holder_start = l.value("holder_start", uint64_t{0});
      lease.hosts_file = l.value("hosts_file", "");
      lease.hostname = l.value("hostname", "");
      lease.extra_hosts = l.value("extra_hosts", std::vector<std::string>{});
      for (const json& p : l.value("ports", json::array())) {
        PortMapping m;
        m.host_ip = p.value("host_ip", "");
        m.host_port = p.value("host_port", uint16_t{0});
        m.container_port = p.value("container_port", uint16_t{0});
        m.protocol = p.value("protocol", "tcp");
        lease.ports.push_back(m);
      }
      r.leases.push_back(std::move(lease));
    }
    return r;
  } catch (const json::exception& e) {
    return Fail(ErrorCode::kCorrupt, "network record " + path + ": " + e.what());
  }
}

Result<void> ValidName(const std::string& name) {
  static const std::regex re("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
  if (name.size() > 64 || !std::regex_match(name, re)) {
    return Fail(ErrorCode::kInvalidArgument,
                "invalid network name \"" + name + "\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
  }
  return {};
}

class Locked {
 public:
  static Result<Locked> Take(const std::string& dir) {
    FileLock lock = BUILDER_TRY(FileLock::Acquire(dir + "/.lock", FileLock::Mode::kExclusive));
    return Locked(std::move(lock));
  }

 private:
  explicit Locked(FileLock lock) : lock_(std::move(lock)) {}
  FileLock lock_;
};

std::string PathOf(const std::string& dir, const std::string& name) { return dir + "/" + name + ".json"; }

Result<Record> Load(const std::string& dir, const std::string& name) {
  const std::string path = PathOf(dir, name);
  auto text = ReadFile(path);
  if (!text) {
    if (text.error().sys_errno() == ENOENT) {
      return Fail(ErrorCode::kNotFound, "network " + name + " not found");
    }
    return Fail(std::move(text.error()));
  }
  return FromJson(*text, path);
}

Result<void> Save(const std::string& dir, const Record& r) {
  return WriteFileAtomic(PathOf(dir, r.info.name), ToJson(r).dump(2) + "\n", 0600);
}

Result<std::vector<Record>> LoadAll(const std::string& dir) {
  std::vector<Record> all;
  for (const std::string& entry : BUILDER_TRY(ListDirectory(dir))) {
    if (!entry.ends_with(".json") || entry.starts_with(".")) continue;
    all.push_back(BUILDER_TRY(Load(dir, entry.substr(0, entry.size() - 5))));
  }
  return all;
}

Result<Record> Find(const std::string& dir, const std::string& name_or_id) {
  std::vector<Record> all = BUILDER_TRY(LoadAll(dir));
  for (Record& r : all) {
    if (r.info.name == name_or_id || r.info.id == name_or_id) return std::move(r);
  }
  const Record* match = nullptr;
  for (const Record& r : all) {
    if (!name_or_id.empty() && r.info.id.starts_with(name_or_id)) {
      if (match) return Fail(ErrorCode::kInvalidArgument, "network id prefix " + name_or_id + " is ambiguous");
      match = &r;
    }
  }
  if (!match) return Fail(ErrorCode::kNotFound, "network " + name_or_id + " not found");
  return *match;
}

// The shared default bridge's addresses are also claimed host-wide (address_claims.h).
std::optional<AddressClaims> ClaimsOf(const NetworkInfo& info) {
  if (info.bridge != kDefaultBridge) return std::nullopt;
  return AddressClaims::For(info.bridge);
}

void ReleaseClaim(const NetworkInfo& info, const Lease& l) {
  if (auto claims = ClaimsOf(info)) claims->Release(l.address, l.holder_pid, l.holder_start);
}

std::vector<Lease> TakeDead(Record& r) {
  std::vector<Lease> dead;
  std::vector<Lease> live;
  for (Lease& l : r.leases) (HolderAlive(l) ? live : dead).push_back(std::move(l));
  r.leases = std::move(live);
  for (const Lease& l : dead) ReleaseClaim(r.info, l);
  return dead;
}

}  // namespace

uint64_t ProcessStartTime(pid_t pid) {
  if (pid <= 0) return 0;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // comm may hold spaces and parentheses: fields count from the last ')'.
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  // After comm: state is field 3; starttime is field 22.
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    // A zombie holds no lease: it is dead, merely unreaped (an init that does not reap).
    if (i == 3 && (field == "Z" || field == "X")) return 0;
    if (i == 22) return std::stoull(field);
  }
  return 0;
}

bool HolderAlive(const Lease& lease) {
  return lease.holder_pid > 0 && ProcessStartTime(lease.holder_pid) == lease.holder_start &&
         lease.holder_start != 0;
}

Result<NetworkStore> NetworkStore::Open(std::string store_root) {
  std::string dir = store_root + "/networks";
  BUILDER_TRY(MakeDirs(dir, 0700));
  return NetworkStore(std::move(dir));
}

Result<NetworkInfo> NetworkStore::Create(const std::string& name, const std::string& subnet,
                                         bool internal, std::map<std::string, std::string> labels,
                                         const std::vector<Ipv4Net>& host_routes) {
  BUILDER_TRY(ValidName(name));
  Locked lock = BUILDER_TRY(Locked::Take(dir_));
  std::vector<Record> all = BUILDER_TRY(LoadAll(dir_));
  std::vector<Ipv4Net> taken;
  for (const Record& r : all) {
    if (r.info.name == name) return Fail(ErrorCode::kAlreadyExists, "network with name " + name + " already exists");
    taken.push_back(BUILDER_TRY(ParseIpv4Net(r.info.subnet)));
  }
  auto collides = [&](const Ipv4Net& net, std::string* with) {
    for (const Ipv4Net& t : taken) {
      if (t.Overlaps(net)) return *with = "network " + t.ToString(), true;
    }
    for (const Ipv4Net& t : host_routes) {
      if (t.prefix > 0 && t.Overlaps(net)) return *with = "host route " + t.ToString(), true;
    }
    return false;
  };
  Ipv4Net chosen;
  std::string with;
  if (!subnet.empty()) {
    chosen = BUILDER_TRY(ParseIpv4Net(subnet));
    if (collides(chosen, &with)) {
      return Fail(ErrorCode::kInvalidArgument, "subnet " + chosen.ToString() + " overlaps " + with);
    }
  } else {
    std::vector<Ipv4Net> candidates;
    if (name == kDefaultNetwork) {
      for (uint32_t b = 88; b > 60; --b) candidates.push_back({(10u << 24) | (b << 16), 16});
    } else {
      for (uint32_t b = 89; b < 100; ++b) {
        for (uint32_t c = 0; c < 256; ++c) candidates.push_back({(10u << 24) | (b << 16) | (c << 8), 24});
      }
    }
    bool found = false;
    for (const Ipv4Net& c : candidates) {
      if (!collides(c, &with)) {
        chosen = c;
        found = true;
        break;
      }
    }
    if (!found) return Fail(ErrorCode::kUnsupported, "no free subnet left for network " + name);
  }
  Record r;
  r.info.id = RandomId();
  r.info.name = name;
  r.info.subnet = chosen.ToString();
  r.info.gateway = FormatIpv4(chosen.address + 1);
  r.info.bridge = name == kDefaultNetwork ? kDefaultBridge : "br-" + r.info.id.substr(0, 12);
  r.info.internal = internal;
  r.info.labels = std::move(labels);
  r.info.created = NowRfc3339();
  BUILDER_TRY(Save(dir_, r));
  return r.info;
}

Result<NetworkInfo> NetworkStore::Get(const std::string& name_or_id) const {
  return BUILDER_TRY(Find(dir_, name_or_id)).info;
}

Result<std::vector<NetworkInfo>> NetworkStore::List() const {
  std::vector<NetworkInfo> out;
  for (Record& r : BUILDER_TRY(LoadAll(dir_))) out.push_back(std::move(r.info));
  return out;
}

Result<void> NetworkStore::Delete(const std::string& name) {
  Locked lock = BUILDER_TRY(Locked::Take(dir_));
  Record r = BUILDER_TRY(Load(dir_, name));
  TakeDead(r);
  if (!r.leases.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "network " + name + " has active endpoints (" +
                                                 r.leases.front().container_id.substr(0, 12) + ")");
  }
  if (::unlink(PathOf(dir_, name).c_str()) != 0) return FailErrno("remove " + PathOf(dir_, name), errno);
  return SyncDirectory(dir_);
}

Result<Lease> NetworkStore::Allocate(const std::string& network, Lease request,
                                     std::vector<Lease>* reclaimed) {
  Locked lock = BUILDER_TRY(Locked::Take(dir_));
  Record r = BUILDER_TRY(Load(dir_, network));
  std::vector<Lease> dead = TakeDead(r);
  std::set<uint32_t> used;
  for (const Lease& l : r.leases) {
    if (l.container_id == request.container_id) {
      return Fail(ErrorCode::kAlreadyExists,
                  "container " + l.container_id.substr(0, 12) + " is already on network " + network);
    }
    used.insert(BUILDER_TRY(ParseIpv4(l.address)));
  }
  const Ipv4Net net = BUILDER_TRY(ParseIpv4Net(r.info.subnet));
  const uint32_t gateway = BUILDER_TRY(ParseIpv4(r.info.gateway));
  const std::optional<AddressClaims> claims = ClaimsOf(r.info);
  uint32_t chosen = 0;
  for (uint32_t a = net.address + 1; a < net.Broadcast(); ++a) {
    if (a == gateway || used.contains(a)) continue;
    // Another store's container may hold it on the shared bridge.
    if (claims && !BUILDER_TRY(claims->Claim(FormatIpv4(a), request.holder_pid, request.holder_start))) continue;
    chosen = a;
    break;
  }
  if (chosen == 0) return Fail(ErrorCode::kUnsupported, "no free address left on network " + network);
  request.address = FormatIpv4(chosen);
  r.leases.push_back(request);
  if (auto saved = Save(dir_, r); !saved) {
    ReleaseClaim(r.info, request);
    return Fail(std::move(saved.error()));
  }
  if (reclaimed) *reclaimed = std::move(dead);
  return request;
}

Result<void> NetworkStore::Update(const std::string& network, const Lease& lease) {
  Locked lock = BUILDER_TRY(Locked::Take(dir_));
  Record r = BUILDER_TRY(Load(dir_, network));
  for (Lease& l : r.leases) {
    if (l.container_id == lease.container_id) {
      l = lease;
      return Save(dir_, r);
    }
  }
  return Fail(ErrorCode::kNotFound, "no lease for " + lease.container_id + " on network " + network);
}

Result<std::optional<Lease>> NetworkStore::Release(const std::string& network,
                                                   const std::string& container_id) {
  Locked lock = BUILDER_TRY(Locked::Take(dir_));
  Record r = BUILDER_TRY(Load(dir_, network));
  for (size_t i = 0; i < r.leases.size(); ++i) {
    if (r.leases[i].container_id == container_id) {
      Lease gone = std::move(r.leases[i]);
      r.leases.erase(r.leases.begin() + static_cast<long>(i));
      BUILDER_TRY(Save(dir_, r));
      ReleaseClaim(r.info, gone);
      return gone;
    }
  }
  return std::nullopt;
}

Result<std::vector<Lease>> NetworkStore::Leases(const std::string& network) const {
  return BUILDER_TRY(Load(dir_, network)).leases;
}

Result<std::vector<Lease>> NetworkStore::ReclaimDead(const std::string& network) {
  Locked lock = BUILDER_TRY(Locked::Take(dir_));
  Record r = BUILDER_TRY(Load(dir_, network));
  std::vector<Lease> dead = TakeDead(r);
  if (!dead.empty()) BUILDER_TRY(Save(dir_, r));
  return dead;
}

}  // namespace builder::runner::network
