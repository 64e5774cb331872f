// MemFile: a FILE* that writes into memory, for tests that check what a reporter printed.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace builder::testing {

struct MemFile {
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  MemFile() = default;
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;
  ~MemFile() {
    std::fclose(f);
    std::free(buf);
  }
  /// Everything written so far.
  std::string str() {
    std::fflush(f);
    return std::string(buf, len);
  }
};

}  // namespace builder::testing
