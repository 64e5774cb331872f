// NetworkAttacher: how a sandbox's own network namespace is given outbound access, supplied by
// the program to users that may not link what builds it (the executor: the runner's bridge for
// root, pasta rootless).
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>

#include "base/error.h"

namespace builder::sandbox {

/// One namespace's connection; destroying it disconnects (veth and lease gone, pasta ended).
class NetworkAttachment {
 public:
  virtual ~NetworkAttachment() = default;
};

/// Connects the (empty) network namespace of `child`, a sandbox's init, before its command
/// starts (SandboxSpec::configure_network). `work_dir` is a private directory of the caller's
/// for helper files (pasta's pid file and log).
using NetworkAttacher =
    std::function<Result<std::unique_ptr<NetworkAttachment>>(pid_t child, const std::string& work_dir)>;

}  // namespace builder::sandbox
