// libFuzzer target: `builder load` of a docker-archive or OCI archive (tar stream, plain or
// compressed) into a fresh store; aborts if the load writes anything outside the store or leaves
// it failing fsck, loaded or refused.
#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <span>
#include <string>

#include "oci/archive_loader.h"
#include "oci/fsck.h"
#include "oci/image_store.h"
#include "oci/remove_tree.h"
#include "private_tmp.h"

namespace {

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "archive_fuzz: %s\n", why.c_str());
  std::abort();
}

// The input as a pull stream, in uneven pieces so reads across buffer edges are exercised.
class SpanSource final : public builder::oci::ByteSource {
 public:
  explicit SpanSource(std::span<const std::uint8_t> data) : data_(data) {}
  builder::Result<std::size_t> Read(std::span<std::uint8_t> buf) override {
    std::size_t n = std::min({buf.size(), data_.size(), std::size_t{4093}});
    std::copy_n(data_.begin(), n, buf.begin());
    data_ = data_.subspan(n);
    return n;
  }

 private:
  std::span<const std::uint8_t> data_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const bool private_tmp = fuzz::PrivateTmp();
  char parent_template[] = "/tmp/archive_fuzz.XXXXXX";
  if (!mkdtemp(parent_template)) Die("mkdtemp failed");
  const std::string parent = parent_template;
  auto store = builder::oci::ImageStore::Open(parent + "/store");
  if (!store) Die("open store: " + store.error().ToString());
  SpanSource in(std::span(data, size));
  auto loaded = builder::oci::LoadImages(*store, in);
  if (!loaded) {
    (void)loaded.error().ToString();
  } else {
    for (const auto& image : *loaded)
      for (const auto& tag : image.tags) (void)tag.String();
  }
  if (fuzz::ListDir(parent) != std::set<std::string>{".", "..", "store"})
    Die("an entry appeared outside the store");
  if (private_tmp && fuzz::ListDir("/tmp").size() != 3) Die("an entry appeared in /tmp");
  auto report = builder::oci::Fsck(*store);
  if (!report) Die("fsck: " + report.error().ToString());
  if (!report->problems.empty()) Die("fsck: " + report->problems.front());
  (void)builder::oci::RemoveTree(parent);
  return 0;
}
