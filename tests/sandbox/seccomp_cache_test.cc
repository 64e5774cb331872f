// Tests for the seccomp program cache: a kept program comes back exactly, and a damaged one is
// rebuilt, never trusted.
#include "sandbox/seccomp_cache.h"

#include <doctest/doctest.h>

#include "base/path.h"
#include "sandbox_fixture.h"

namespace builder::sandbox {
namespace {

SeccompProgram Sample() {
  SeccompProgram p;
  p.filters.push_back({BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4), BPF_STMT(BPF_RET | BPF_K, 0x7fff0000)});
  p.filters.push_back({BPF_STMT(BPF_RET | BPF_K, 0x50001)});
  return p;
}

bool Same(const SeccompProgram& a, const SeccompProgram& b) {
  if (a.filters.size() != b.filters.size()) return false;
  for (std::size_t i = 0; i < a.filters.size(); ++i) {
    if (a.filters[i].size() != b.filters[i].size()) return false;
    for (std::size_t j = 0; j < a.filters[i].size(); ++j) {
      const sock_filter &x = a.filters[i][j], &y = b.filters[i][j];
      if (x.code != y.code || x.jt != y.jt || x.jf != y.jf || x.k != y.k) return false;
    }
  }
  return true;
}

TEST_CASE("a serialized program parses back exactly; any damage is refused") {
  const std::string data = SerializeSeccompProgram(Sample());
  auto back = ParseSeccompProgram(data);
  REQUIRE(back);
  CHECK(Same(*back, Sample()));
  for (std::size_t i : {std::size_t{0}, std::size_t{30}, data.size() - 1}) {
    std::string bad = data;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    CHECK_FALSE(ParseSeccompProgram(bad));
  }
  CHECK_FALSE(ParseSeccompProgram(data.substr(0, data.size() - 8)));
  CHECK_FALSE(ParseSeccompProgram(data + "x"));
  CHECK_FALSE(ParseSeccompProgram(""));
}

TEST_CASE("the cache builds once, then serves the kept program; a tampered file is rebuilt") {
  testing::TempDir dir;
  const std::string cache = dir / "seccomp";
  int builds = 0;
  auto build = [&]() -> Result<SeccompProgram> {
    ++builds;
    return Sample();
  };
  auto first = CachedSeccompProgram(cache, "key", build);
  REQUIRE(first);
  CHECK(builds == 1);
  auto second = CachedSeccompProgram(cache, "key", build);
  REQUIRE(second);
  CHECK(builds == 1);
  CHECK(Same(*second, Sample()));
  CHECK(CachedSeccompProgram(cache, "other key", build));
  CHECK(builds == 2);

  // Whoever rewrites a kept program (its digest no longer matching) gets it rebuilt.
  auto names = ListDirectory(cache);
  REQUIRE(names);
  REQUIRE(names->size() == 2);
  for (const std::string& n : *names) {
    auto text = ReadFile(cache + "/" + n);
    REQUIRE(text);
    std::string bad = *text;
    bad[bad.size() - 1] = static_cast<char>(bad[bad.size() - 1] ^ 0x7f);
    REQUIRE(WriteFileAtomic(cache + "/" + n, bad));
  }
  auto third = CachedSeccompProgram(cache, "key", build);
  REQUIRE(third);
  CHECK(builds == 3);
  CHECK(Same(*third, Sample()));

  // No dir: always built.
  CHECK(CachedSeccompProgram("", "key", build));
  CHECK(builds == 4);
}

}  // namespace
}  // namespace builder::sandbox
