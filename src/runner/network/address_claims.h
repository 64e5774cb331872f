// AddressClaims: host-wide claims on the addresses of the default bridge, which every store
// on this host (and network namespace) shares.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "base/error.h"

namespace builder::runner::network {

/// builder0 is one kernel object however many stores use it (a CI host runs a store per job), so
/// its subnet is shared and its addresses must not be handed out twice by two stores' own
/// allocators. A claim is a file named by the address under /run/builder/net-<netns inode>/<bridge>/
/// (tmpfs: gone at reboot with the bridge) holding its holder's pid and start time, so a claim
/// whose holder died (even by SIGKILL) is taken over.
class AddressClaims {
 public:
  /// Claims for `bridge` in this process's network namespace; `root` overrides /run/builder (tests).
  static AddressClaims For(const std::string& bridge, const std::string& root = "/run/builder");

  /// Takes `address` for the holder: false when a live holder other than this one has it.
  [[nodiscard]] Result<bool> Claim(const std::string& address, pid_t holder, uint64_t holder_start) const;
  /// Drops the claim when it is still this holder's (a stale claim is dropped too).
  void Release(const std::string& address, pid_t holder, uint64_t holder_start) const;

  const std::string& dir() const { return dir_; }

 private:
  explicit AddressClaims(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

}  // namespace builder::runner::network
