// Tests for Docker's default capability set.
#include "sandbox/capabilities.h"

#include <doctest/doctest.h>

namespace builder::sandbox {

TEST_CASE("DefaultCapabilities is Docker's set") {
  CHECK(DefaultCapabilities() == 0xa80425fbULL);
  CHECK(CapabilityNames(DefaultCapabilities()) ==
        std::vector<std::string>{"cap_chown", "cap_dac_override", "cap_fowner", "cap_fsetid",
                                 "cap_kill", "cap_setgid", "cap_setuid", "cap_setpcap",
                                 "cap_net_bind_service", "cap_net_raw", "cap_sys_chroot",
                                 "cap_mknod", "cap_audit_write", "cap_setfcap"});
}

TEST_CASE("LastCapability is at least CAP_SETFCAP and below 64") {
  CHECK(LastCapability() >= 31);
  CHECK(LastCapability() < 64);
}

}  // namespace builder::sandbox
