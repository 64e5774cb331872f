// Names and ids for new containers.
#include "runner/container_names.h"

#include <sys/random.h>

#include <array>
#include <cstdint>

namespace builder::runner {
namespace {

constexpr std::array<const char*, 24> kAdjectives = {
    "admiring", "agitated", "bold",     "brave",    "clever",  "compassionate",
    "eager",    "elegant",  "focused",  "friendly", "gallant", "happy",
    "jolly",    "keen",     "loving",   "modest",   "nifty",   "peaceful",
    "quirky",   "relaxed",  "serene",   "sharp",    "vibrant", "zealous"};
constexpr std::array<const char*, 24> kSurnames = {
    "albattani", "babbage", "bohr",     "curie",   "darwin",   "einstein",
    "euler",     "fermi",   "galileo",  "hopper",  "hypatia",  "kepler",
    "knuth",     "lovelace", "meitner", "newton",  "noether",  "pasteur",
    "ritchie",   "shannon", "thompson", "turing",  "wozniak",  "yonath"};

std::uint64_t Random64() {
  std::uint64_t v = 0;
  while (::getrandom(&v, sizeof v, 0) != static_cast<ssize_t>(sizeof v)) {
  }
  return v;
}

bool NameChar(char c, bool first) {
  bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  return alnum || (!first && (c == '_' || c == '.' || c == '-'));
}

}  // namespace

std::string RandomContainerName(int attempt) {
  std::uint64_t r = Random64();
  std::string name = std::string(kAdjectives[r % kAdjectives.size()]) + "_" +
                     kSurnames[(r / kAdjectives.size()) % kSurnames.size()];
  if (attempt > 0) name += std::to_string(attempt);
  return name;
}

Result<std::string> ValidateContainerName(std::string_view name) {
  if (name.starts_with('/')) name.remove_prefix(1);
  bool ok = name.size() >= 2;
  for (std::size_t i = 0; ok && i < name.size(); ++i) ok = NameChar(name[i], i == 0);
  if (!ok) {
    return Fail(ErrorCode::kInvalidArgument,
                "invalid container name \"" + std::string(name) +
                    "\", only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
  }
  return std::string(name);
}

std::string RandomContainerId() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 4; ++i) {
    std::uint64_t r = Random64();
    for (int j = 0; j < 16; ++j, r >>= 4) id += kHex[r & 15];
  }
  return id;
}

}  // namespace builder::runner
