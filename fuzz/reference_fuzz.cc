// libFuzzer target: image references (parse, normalize, print); a normalized reference must
// parse back to itself.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "oci/reference.h"

namespace {

[[noreturn]] void Die(const char* why, const std::string& text) {
  std::fprintf(stderr, "reference_fuzz: %s: %s\n", why, text.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using builder::oci::Reference;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto ref = Reference::Parse(text);
  if (!ref) {
    (void)ref.error().ToString();
    return 0;
  }
  const std::string full = ref->String();
  auto again = Reference::Parse(full);
  if (!again) Die("normalized form does not parse", full);
  if (*again != *ref) Die("normalized form parses to another reference", full);
  // The familiar form parses back to the same reference, except where docker's is ambiguous too:
  // "docker.io/foo.com/bar" prints as "foo.com/bar", which names the registry foo.com (or, with
  // "foo_x.com/bar", no valid registry at all).
  const std::string first = ref->path().substr(0, ref->path().find('/'));
  const std::string name = ref->FamiliarName();
  const bool ambiguous =
      (ref->domain() == "docker.io" && first.size() < ref->path().size() &&
       (first.find_first_of(".:") != std::string::npos || first == "localhost")) ||
      // "docker.io/library/<64 hex>" prints as the hex, which reads as an image id (refused).
      (name.size() == 64 && name.find_first_not_of("0123456789abcdef") == std::string::npos);
  auto familiar = Reference::Parse(ref->FamiliarString());
  if (!ambiguous && (!familiar || *familiar != *ref))
    Die("familiar form does not parse back", ref->FamiliarString());
  (void)ref->WithDefaultTag().String();
  (void)ref->WithoutTag().String();
  auto docker = Reference::ParseDockerRef(text);
  if (!docker) Die("ParseDockerRef refuses what Parse accepts", std::string(text));
  (void)builder::oci::IsValidTag(text);
  return 0;
}
