// Tests for VerifyingSink: the size cap, the digest check, and starting over.
#include "registry/verifying_sink.h"

#include <doctest/doctest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <string>
#include <string_view>

#include "base/unique_fd.h"
#include "oci/media_types.h"

namespace builder::registry {
namespace {

std::span<const std::uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

UniqueFd MemFile() {
  UniqueFd fd(::memfd_create("sink-test", MFD_CLOEXEC));
  REQUIRE(fd);
  return fd;
}

std::string Contents(int fd) {
  std::string out(64, '\0');
  ssize_t n = ::pread(fd, out.data(), out.size(), 0);
  REQUIRE(n >= 0);
  out.resize(static_cast<std::size_t>(n));
  return out;
}

TEST_CASE("a sink passes the bytes its descriptor names, written in pieces") {
  UniqueFd fd = MemFile();
  oci::Descriptor d = oci::Descriptor::For(oci::kOciLayerTar, "hello world");
  VerifyingSink sink(fd.get(), d);
  REQUIRE(sink.Write(Bytes("hello ")));
  REQUIRE(sink.Write(Bytes("world")));
  CHECK(sink.written() == 11);
  CHECK(sink.Check());
  CHECK(Contents(fd.get()) == "hello world");
}

TEST_CASE("a sink refuses bytes past the size, short content and a wrong digest") {
  oci::Descriptor d = oci::Descriptor::For(oci::kOciLayerTar, "hello");
  {
    UniqueFd fd = MemFile();
    VerifyingSink sink(fd.get(), d);
    auto w = sink.Write(Bytes("hello!"));
    REQUIRE_FALSE(w);
    CHECK(w.error().code() == ErrorCode::kCorrupt);
  }
  {
    UniqueFd fd = MemFile();
    VerifyingSink sink(fd.get(), d);
    REQUIRE(sink.Write(Bytes("hell")));
    auto c = sink.Check();
    REQUIRE_FALSE(c);
    CHECK(c.error().ToString().find("got 4 bytes") != std::string::npos);
  }
  {
    UniqueFd fd = MemFile();
    VerifyingSink sink(fd.get(), d);
    REQUIRE(sink.Write(Bytes("jello")));
    auto c = sink.Check();
    REQUIRE_FALSE(c);
    CHECK(c.error().code() == ErrorCode::kCorrupt);
  }
}

TEST_CASE("Restart empties the file and the hash") {
  UniqueFd fd = MemFile();
  oci::Descriptor d = oci::Descriptor::For(oci::kOciLayerTar, "hello");
  VerifyingSink sink(fd.get(), d);
  REQUIRE(sink.Write(Bytes("junk")));
  REQUIRE(sink.Restart());
  CHECK(sink.written() == 0);
  REQUIRE(sink.Write(Bytes("hello")));
  CHECK(sink.Check());
  CHECK(Contents(fd.get()) == "hello");
}

}  // namespace
}  // namespace builder::registry
