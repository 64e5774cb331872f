// Tests for LayerEntryCheck: the unpacker's refusals on a tree of names, across layers.
#include "oci/layer_entry_check.h"

#include <doctest/doctest.h>

#include <string>

namespace builder::oci {
namespace {

using Kind = LayerEntryCheck::Kind;

std::string Refusal(const Result<void>& r) { return r ? "" : r.error().ToString(); }

TEST_CASE("LayerEntryCheck: symlinks resolve inside the root; climbing out is refused") {
  LayerEntryCheck check;
  check.NextLayer();
  CHECK(check.Check("var/", Kind::kDir));
  CHECK(check.Check("var/run", Kind::kSymlink, "/run"));
  CHECK(check.Check("var/run/x", Kind::kFile));  // lands at run/x
  CHECK(check.Check("usr/lib/", Kind::kDir));
  CHECK(check.Check("lib", Kind::kSymlink, "usr/lib"));
  CHECK(check.Check("lib/libfoo.so", Kind::kFile));
  CHECK(check.Check("lib/libfoo.so.1", Kind::kHardlink, "usr/lib/libfoo.so"));
  CHECK(check.Check("run/x.link", Kind::kHardlink, "var/run/x"));
  CHECK(check.Check("a/", Kind::kDir));
  CHECK(check.Check("a/b", Kind::kSymlink, "../.."));  // a link may point anywhere ...
  std::string e = Refusal(check.Check("a/b/pwned", Kind::kFile));  // ... but not be written through
  CHECK(e.find("entry \"a/b/pwned\"") != std::string::npos);
  CHECK(e.find("points outside the root") != std::string::npos);
  CHECK(Refusal(check.Check("../x", Kind::kFile)).find("escapes the root") != std::string::npos);
  CHECK(Refusal(check.Check("h", Kind::kHardlink, "../etc/passwd")).find("escapes the root") != std::string::npos);
  CHECK(Refusal(check.Check("h", Kind::kHardlink, "/etc/passwd")).find("does not exist") != std::string::npos);
  CHECK(Refusal(check.Check("h", Kind::kHardlink, "usr/lib")).find("is a directory") != std::string::npos);
  CHECK(Refusal(check.Check("l1", Kind::kSymlink, "l2")).empty());
  CHECK(Refusal(check.Check("l2", Kind::kSymlink, "l1")).empty());
  CHECK(Refusal(check.Check("l1/x", Kind::kFile)).find("symlinks to follow") != std::string::npos);
  CHECK(Refusal(check.Check("lib/libfoo.so/x", Kind::kFile)).find("is not a directory") != std::string::npos);
  CHECK(Refusal(check.Check("/.", Kind::kFile)).find("replace the root") != std::string::npos);
  CHECK(Refusal(check.Check("a/.wh..", Kind::kFile)).find("invalid whiteout name") != std::string::npos);
  CHECK(Refusal(check.Check(".wh.x/y", Kind::kFile)).find("inside a whiteout") != std::string::npos);
  CHECK(Refusal(check.Check("", Kind::kFile)).find("empty entry name") != std::string::npos);
}

TEST_CASE("LayerEntryCheck: a later layer sees the lower ones, whiteouts hide only them") {
  LayerEntryCheck check;
  check.NextLayer();
  CHECK(check.Check("lower-link", Kind::kSymlink, "../canary-dir"));
  CHECK(check.Check("d/", Kind::kDir));
  CHECK(check.Check("d/f", Kind::kFile));
  CHECK(check.Check("g", Kind::kFile));
  check.NextLayer();
  CHECK(check.Check("h", Kind::kHardlink, "d/f"));  // a hard link to a lower layer's file
  CHECK(Refusal(check.Check("lower-link/pwned", Kind::kFile)).find("points outside") != std::string::npos);
  CHECK(Refusal(check.Check("lower-link/.wh.inner", Kind::kFile)).find("points outside") != std::string::npos);
  CHECK(check.Check("d/new", Kind::kFile));
  CHECK(check.Check("d/.wh..wh..opq", Kind::kFile));  // empties d of lower content only
  CHECK(check.Check("d/new.link", Kind::kHardlink, "d/new"));
  CHECK(Refusal(check.Check("f.link", Kind::kHardlink, "d/f")).find("does not exist") != std::string::npos);
  CHECK(check.Check(".wh.g", Kind::kFile));
  CHECK(Refusal(check.Check("g.link", Kind::kHardlink, "g")).find("does not exist") != std::string::npos);
  CHECK(check.Check("missing/.wh.x", Kind::kFile));  // nothing below to hide
}

}  // namespace
}  // namespace builder::oci
