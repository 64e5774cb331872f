// BuildNetworkAttacher: a build RUN's default network, a bridge veth (root) or pasta (rootless).
#include "runner/build_network.h"

#include <unistd.h>

#include <memory>
#include <optional>

#include "base/log.h"
#include "base/sha256.h"
#include "runner/networks.h"
#include "sandbox/pasta.h"

namespace builder::runner {
namespace {

// One RUN's lease on the default network; destroying it detaches (veth and lease gone).
class BridgeAttachment : public sandbox::NetworkAttachment {
 public:
  BridgeAttachment(Networks nets, std::string id) : nets_(std::move(nets)), id_(std::move(id)) {}
  ~BridgeAttachment() override { (void)nets_.Detach(network::kDefaultNetwork, id_); }

 private:
  Networks nets_;
  std::string id_;
};

// A lease id of its own per RUN (the veth is "vb" + its first 12 characters).
std::string RunLeaseId(const std::string& work_dir) {
  static unsigned counter = 0;
  const std::string seed = work_dir + "/" + std::to_string(::getpid()) + "/" +
                           std::to_string(__atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
  return Sha256Hex(seed);
}

}  // namespace

sandbox::NetworkAttacher BuildNetworkAttacher(std::string store_root) {
  if (!sandbox::HostNetworkAdmin()) {
    // Without pasta a rootless RUN gets a namespace of its own with only lo (as `run` does,
    // and never the host's network unless asked for with --network host); said once per build.
    if (auto usable = sandbox::PastaUsable(); !usable) {
      LogWarn("RUN steps have no network (use --network host for the host's): " + usable.error().ToString());
      return [](pid_t, const std::string&) -> Result<std::unique_ptr<sandbox::NetworkAttachment>> {
        return std::make_unique<sandbox::NetworkAttachment>();
      };
    }
    return sandbox::PastaAttacher();
  }
  return [root = std::move(store_root)](pid_t child, const std::string& work_dir)
             -> Result<std::unique_ptr<sandbox::NetworkAttachment>> {
    Networks nets = BUILDER_TRY(Networks::Open(root));
    (void)nets.ReclaimDead();  // leases of builds killed without cleaning up
    AttachRequest request;
    request.network = network::kDefaultNetwork;
    request.container_id = RunLeaseId(work_dir);
    request.holder_pid = ::getpid();
    BUILDER_TRY(nets.Attach(request, child));
    return std::make_unique<BridgeAttachment>(std::move(nets), request.container_id);
  };
}

}  // namespace builder::runner
