// `builder debug netrun --network NET [-p H:C] [--name N] IMAGE [CMD...]`: debug run on a bridge
// network (address, hosts file, published ports), released when the command ends; a stand-in
// for `run --network` until the runner uses runner/networks.h, used by the network tests.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "base/path.h"
#include "base/sha256.h"
#include "commands.h"
#include "image_run.h"
#include "oci/remove_tree.h"
#include "runner/networks.h"
#include "sandbox/sandbox.h"

namespace builder::cli {
namespace {

struct NetOpts {
  std::string network = "bridge";
  std::string name;
  std::vector<std::string> ports, dns, add_hosts;
};

Result<int> RunImage(const std::string& name, const std::vector<std::string>& cmd, const NetOpts& net) {
  oci::ImageStore store = BUILDER_TRY(OpenStore());
  ImageRun run = BUILDER_TRY(PrepareImageRun(store, name, cmd));
  const std::string& scratch = run.scratch;
  sandbox::SandboxSpec& spec = run.spec;
  runner::AttachRequest request;
  request.network = net.network;
  request.container_id = Sha256Hex(scratch);
  request.name = net.name.empty() ? request.container_id.substr(0, 12) : net.name;
  request.dns = net.dns;
  request.extra_hosts = net.add_hosts;
  for (const std::string& p : net.ports) request.ports.push_back(BUILDER_TRY(runner::network::ParsePortMapping(p)));
  request.hosts_file = scratch + "/hosts";
  request.resolv_conf_file = scratch + "/resolv.conf";
  BUILDER_TRY(WriteFileAtomic(request.hosts_file, ""));
  BUILDER_TRY(WriteFileAtomic(request.resolv_conf_file, ""));
  spec.hosts_file = request.hosts_file;
  spec.resolv_conf_file = request.resolv_conf_file;
  spec.hostname = request.name;
  runner::Networks nets = BUILDER_TRY(runner::Networks::Open(store.root()));
  std::string attached;
  spec.network = sandbox::NetworkMode::kConfigured;
  spec.configure_network = [&](pid_t child) -> Result<void> {
    runner::Lease lease = BUILDER_TRY(nets.Attach(request, child));
    attached = lease.address;
    for (const auto& p : lease.ports) std::fprintf(stderr, "published %s\n", p.ToString().c_str());
    std::fprintf(stderr, "address %s\n", lease.address.c_str());
    return {};
  };
  std::fflush(stdout);
  spec.stdout_fd = STDOUT_FILENO;
  spec.stderr_fd = STDERR_FILENO;
  auto result = sandbox::RunSandboxed(spec);
  if (!attached.empty()) (void)nets.Detach(request.network, request.container_id);
  (void)oci::RemoveTree(scratch);
  if (!result) return Fail(std::move(result.error()));
  return result->status.signal ? 128 + result->status.signal : result->status.code;
}

}  // namespace

void RegisterDebugNetrun(CLI::App& debug, int* status) {
  auto* cmd = debug.add_subcommand("netrun", "Run an image's command once on a bridge network");
  cmd->group("");  // hidden: the network tests' stand-in for run --network
  auto net = std::make_shared<NetOpts>();
  cmd->add_option("--network", net->network);
  cmd->add_option("--name", net->name);
  cmd->add_option("-p,--publish", net->ports)->allow_extra_args(false);
  cmd->add_option("--dns", net->dns)->allow_extra_args(false);
  cmd->add_option("--add-host", net->add_hosts)->allow_extra_args(false);
  // IMAGE [CMD...]: everything after IMAGE belongs to the command, flags included.
  cmd->prefix_command();
  cmd->footer("Usage: builder debug netrun [--network NET] [-p [IP:]H:C] [--name N] IMAGE [CMD...]");
  cmd->callback([cmd, status, net] {
    std::vector<std::string> args = cmd->remaining();
    if (args.empty()) {
      *status = ReportError(Error(ErrorCode::kInvalidArgument, "debug netrun needs an IMAGE"));
      return;
    }
    std::string image = args.front();
    args.erase(args.begin());
    auto r = RunImage(image, args, *net);
    *status = r ? *r : ReportError(r.error());
  });
}

}  // namespace builder::cli
