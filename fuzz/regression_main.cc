// Replays every saved fuzzer finding through a target's entry point, so ctest keeps them fixed.
#include <dirent.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "base/path.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  DIR* dir = opendir(argv[1]);
  if (!dir) {
    std::perror(argv[1]);
    return 1;
  }
  int n = 0;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    std::string path = std::string(argv[1]) + "/" + e->d_name;
    auto data = builder::ReadFile(path);
    if (!data) {
      std::fprintf(stderr, "%s\n", data.error().ToString().c_str());
      return 1;
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(data->data()), data->size());
    ++n;
  }
  closedir(dir);
  std::printf("replayed %d inputs from %s\n", n, argv[1]);
  return 0;
}
