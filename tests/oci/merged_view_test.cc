// MergedView: overlayfs lookup rules over plain layer dirs.
#include "oci/merged_view.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "temp_layers.h"

namespace builder::oci {
namespace {

using testing::TempLayers;

TEST_CASE("upper layers win; whiteouts hide lower entries") {
  TempLayers t;
  t.File("lower", "/etc/passwd", "lower");
  t.File("lower", "/etc/group", "g");
  t.File("upper", "/etc/passwd", "upper");
  if (geteuid() != 0) return;  // mknod of a whiteout needs root
  t.Whiteout("upper", "/etc/group");
  MergedView view({t.Dir("upper"), t.Dir("lower")});
  CHECK(*view.ReadFile("/etc/passwd") == "upper");
  CHECK(!view.Lookup("/etc/group"));
  CHECK(view.ReadFile("/etc/group").error().code() == ErrorCode::kNotFound);
  CHECK(view.Lookup("/etc"));
}

TEST_CASE("an opaque directory hides what the lower layers have below it") {
  if (geteuid() != 0) return;  // trusted.* xattrs need root
  TempLayers t;
  t.File("lower", "/d/old", "o");
  t.File("upper", "/d/new", "n");
  REQUIRE(lsetxattr((t.Dir("upper") + "/d").c_str(), "trusted.overlay.opaque", "y", 1, 0) == 0);
  MergedView view({t.Dir("upper"), t.Dir("lower")});
  CHECK(view.Lookup("/d/new"));
  CHECK(!view.Lookup("/d/old"));
}

TEST_CASE("a file in an upper layer hides a lower directory of the same name") {
  TempLayers t;
  t.File("lower", "/x/inner", "i");
  t.File("upper", "/x", "file");
  MergedView view({t.Dir("upper"), t.Dir("lower")});
  CHECK(!view.Lookup("/x/inner"));
  CHECK(*view.ReadFile("/x") == "file");
}

TEST_CASE("Resolve follows symlinks inside the view, never out of it") {
  TempLayers t;
  t.Mkdir("base", "/usr/bin");
  t.Link("base", "/bin", "usr/bin");
  t.Link("base", "/abs", "/usr");
  t.Link("base", "/escape", "../../../../tmp");
  t.Link("base", "/loop", "loop");
  MergedView view({t.Dir("base")});
  CHECK(*view.Resolve("/bin/sh", true) == "/usr/bin/sh");
  CHECK(*view.Resolve("/abs/bin", true) == "/usr/bin");
  CHECK(*view.Resolve("/escape/x", true) == "/tmp/x");
  CHECK(*view.Resolve("/bin", false) == "/bin");
  CHECK(*view.Resolve("/missing/a/../b", true) == "/missing/b");
  auto loop = view.Resolve("/loop", true);
  REQUIRE(!loop);
  CHECK(loop.error().message().find("too many levels") != std::string::npos);
}

TEST_CASE("symlinks in upper layers are followed through lower directories") {
  TempLayers t;
  t.File("lower", "/real/f", "content");
  t.Link("upper", "/link", "real");
  MergedView view({t.Dir("upper"), t.Dir("lower")});
  CHECK(*view.ReadFile("/link/f") == "content");
}

TEST_CASE("ReadFile: an absolute link to a host path reads the view's file, never the host's") {
  TempLayers t;
  t.File("host", "/secret", "host-secret");
  t.File("upper", "/etc/passwd", "root:x:0:0::/root:/bin/sh\n");
  t.Link("upper", "/etc/group", t.Dir("host") + "/secret");  // a container's own link
  MergedView view({t.Dir("upper")});
  CHECK(*view.ReadFile("/etc/passwd") == "root:x:0:0::/root:/bin/sh\n");
  CHECK(view.ReadFile("/etc/group").error().code() == ErrorCode::kNotFound);
}

TEST_CASE("ReadFile: a fifo is not read (nothing blocks) and a huge file is refused") {
  TempLayers t;
  t.Mkdir("upper", "/etc");
  REQUIRE(::mkfifo((t.Dir("upper") + "/etc/passwd").c_str(), 0644) == 0);
  t.File("upper", "/etc/group", "");
  REQUIRE(::truncate((t.Dir("upper") + "/etc/group").c_str(), 17 << 20) == 0);
  MergedView view({t.Dir("upper")});
  CHECK(view.ReadFile("/etc/passwd").error().code() == ErrorCode::kNotFound);
  auto big = view.ReadFile("/etc/group");
  REQUIRE_FALSE(big);
  CHECK(big.error().code() == ErrorCode::kInvalidArgument);
  CHECK(big.error().message().find("too large") != std::string::npos);
}

}  // namespace
}  // namespace builder::oci
