// WritePathTar: entry names under the chosen top, contents-only form, links kept as links,
// modes and contents as found, whiteout names refused.
#include "runner/path_tar.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "base/unique_fd.h"
#include "oci/byte_stream.h"
#include "oci/tar_reader.h"
#include "runner_fixture.h"

namespace builder::runner {
namespace {

namespace fs = std::filesystem;

using testing::TempDir;

class StringSource final : public oci::ByteSource {
 public:
  explicit StringSource(std::string data) : data_(std::move(data)) {}
  Result<std::size_t> Read(std::span<std::uint8_t> buf) override {
    std::size_t n = std::min(buf.size(), data_.size() - pos_);
    std::memcpy(buf.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  std::size_t pos_ = 0;
};

// "name mode [-> target | =content]" per entry, in tar order.
std::string Listing(const std::string& tar) {
  StringSource in(tar);
  auto reader = oci::TarReader::Open(in);
  REQUIRE(reader);
  std::string out;
  for (;;) {
    auto entry = (*reader)->Next();
    REQUIRE(entry);
    if (!*entry) break;
    char mode[8];
    std::snprintf(mode, sizeof mode, "%o", archive_entry_perm(*entry));
    out += std::string(archive_entry_pathname(*entry)) + " " + mode;
    if (const char* link = archive_entry_symlink(*entry)) out += std::string(" -> ") + link;
    if (archive_entry_size(*entry) > 0) {
      std::string content(static_cast<std::size_t>(archive_entry_size(*entry)), '\0');
      auto n = (*reader)->Read({reinterpret_cast<std::uint8_t*>(content.data()), content.size()});
      REQUIRE(n);
      out += " =" + content.substr(0, *n);
    }
    out += "\n";
  }
  return out;
}

void Put(const std::string& path, const std::string& text, mode_t mode) {
  std::ofstream(path) << text;
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

TEST_CASE("WritePathTar: a directory under a new top name, sorted, links not followed") {
  TempDir t;
  fs::create_directories(t.path() + "/src/b");
  REQUIRE(::chmod((t.path() + "/src/b").c_str(), 0705) == 0);
  REQUIRE(::chmod((t.path() + "/src").c_str(), 0750) == 0);
  Put(t.path() + "/src/b/f", "data", 0640);
  Put(t.path() + "/src/a", "a", 0600);
  REQUIRE(::symlink("/etc/passwd", (t.path() + "/src/link").c_str()) == 0);
  UniqueFd dir(::open(t.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  oci::StringSink sink;
  REQUIRE(WritePathTar(dir.get(), "src", false, "copy", sink));
  CHECK(Listing(sink.data()) ==
        "copy/ 750\n"
        "copy/a 600 =a\n"
        "copy/b/ 705\n"
        "copy/b/f 640 =data\n"
        "copy/link 777 -> /etc/passwd\n");
}

TEST_CASE("WritePathTar: contents only, a single file, a followed link") {
  TempDir t;
  fs::create_directories(t.path() + "/src");
  Put(t.path() + "/src/x", "x", 0644);
  REQUIRE(::symlink("src/x", (t.path() + "/l").c_str()) == 0);
  UniqueFd dir(::open(t.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  oci::StringSink contents;
  REQUIRE(WritePathTar(dir.get(), "src", false, "", contents));
  CHECK(Listing(contents.data()) == "x 644 =x\n");
  oci::StringSink file;
  REQUIRE(WritePathTar(dir.get(), "l", true, "renamed", file));
  CHECK(Listing(file.data()) == "renamed 644 =x\n");
}

TEST_CASE("WritePathTar: a .wh. name is refused (the unpacker would delete instead)") {
  TempDir t;
  fs::create_directories(t.path() + "/src");
  Put(t.path() + "/src/.wh.x", "", 0644);
  UniqueFd dir(::open(t.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  oci::StringSink sink;
  auto r = WritePathTar(dir.get(), "src", false, "src", sink);
  REQUIRE_FALSE(r);
  CHECK(r.error().message().find(".wh.") != std::string::npos);
}

}  // namespace
}  // namespace builder::runner
