// DiskUsage through nftw.
#include "disk_usage.h"

#include <ftw.h>

namespace builder::cli {
namespace {
thread_local std::int64_t g_usage = 0;  // nftw's callback takes no context
}

std::int64_t DiskUsage(const std::string& root) {
  g_usage = 0;
  ::nftw(root.c_str(), [](const char*, const struct stat* st, int type, struct FTW*) {
    if (type == FTW_F) g_usage += static_cast<std::int64_t>(st->st_blocks) * 512;
    return 0;
  }, 32, FTW_PHYS);
  return g_usage;
}

}  // namespace builder::cli
