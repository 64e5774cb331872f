// Parses every manifest, index, config and descriptor in the third-party conformance corpora:
// the OCI image-spec's own examples and BuildKit's exporter goldens.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "base/path.h"
#include "oci/descriptor.h"
#include "oci/image_config.h"
#include "oci/image_index.h"
#include "oci/manifest.h"
#include "support/conformance.h"

namespace builder::oci {
namespace {

namespace fs = std::filesystem;

const fs::path kSpecDir = fs::path(BUILDER_CONFORMANCE_DIR) / "oci-image-spec-schema";
const fs::path kGoldensDir = fs::path(BUILDER_CONFORMANCE_DIR) / "buildkit-compat-goldens";

std::string Slurp(const fs::path& path) {
  auto content = ReadFile(path.string());
  REQUIRE_MESSAGE(content, path.string());
  return *content;
}

// Our output must mean the same as the input: same members, same values (order aside).
void CheckSameJson(const std::string& original, const std::string& ours) {
  CHECK(nlohmann::json::parse(original) == nlohmann::json::parse(ours));
}

template <class T>
T ParseRoundTrip(const std::string& text) {
  auto parsed = T::Parse(text);
  REQUIRE_MESSAGE(parsed, (parsed ? "" : parsed.error().ToString()));
  std::string once = parsed->Serialize();
  auto again = T::Parse(once);
  REQUIRE(again);
  CHECK(*again == *parsed);
  CHECK(again->Serialize() == once);
  return *parsed;
}

struct Example {
  std::string file;
  std::string media_type;
};

// The spec's examples, all valid, listed with their media type in INDEX.tsv.
std::vector<Example> SpecExamples() {
  std::vector<Example> out;
  std::istringstream in(Slurp(kSpecDir / "examples" / "INDEX.tsv"));
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::size_t tab = line.find('\t');
    std::size_t tab2 = line.find('\t', tab + 1);
    out.push_back({line.substr(0, tab), line.substr(tab + 1, tab2 - tab - 1)});
  }
  return out;
}

TEST_CASE("every OCI image-spec example parses and round trips") {
  BUILDER_NEED_CONFORMANCE(kSpecDir / "examples");
  std::vector<Example> examples = SpecExamples();
  REQUIRE(examples.size() == 13);
  int parsed = 0;
  for (const Example& e : examples) {
    CAPTURE(e.file);
    std::string text = Slurp(kSpecDir / "examples" / e.file);
    if (e.media_type == kOciManifest) {
      CheckSameJson(text, ParseRoundTrip<Manifest>(text).Serialize());
    } else if (e.media_type == kOciIndex) {
      CheckSameJson(text, ParseRoundTrip<ImageIndex>(text).Serialize());
    } else if (e.media_type == kOciConfig) {
      CheckSameJson(text, ParseRoundTrip<ImageConfig>(text).Serialize());
    } else if (e.media_type == kOciDescriptor) {
      CheckSameJson(text, ParseRoundTrip<Descriptor>(text).Serialize());
    } else {
      CHECK(e.media_type == kOciLayoutHeader);  // the store's concern, not a type here
      continue;
    }
    ++parsed;
  }
  CHECK(parsed == 12);
}

TEST_CASE("spec examples are rejected as the wrong document type") {
  BUILDER_NEED_CONFORMANCE(kSpecDir / "examples");
  std::string manifest = Slurp(kSpecDir / "examples" / "manifest__01__manifest.json");
  std::string index = Slurp(kSpecDir / "examples" / "image-index__01__image-index.json");
  CHECK(ImageIndex::Parse(manifest).error().code() == ErrorCode::kCorrupt);
  CHECK(Manifest::Parse(index).error().code() == ErrorCode::kCorrupt);
  CHECK(ImageConfig::Parse(manifest).error().code() == ErrorCode::kCorrupt);
}

TEST_CASE("every BuildKit golden parses, round trips and is consistent") {
  BUILDER_NEED_CONFORMANCE(kGoldensDir);
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::recursive_directory_iterator(kGoldensDir)) {
    if (entry.is_directory() &&
        (fs::exists(entry.path() / "manifest.json") || fs::exists(entry.path() / "config.json"))) {
      dirs.push_back(entry.path());
    }
  }
  std::sort(dirs.begin(), dirs.end());
  REQUIRE(dirs.size() == 44);
  int manifests = 0;
  int configs = 0;
  for (const fs::path& dir : dirs) {
    CAPTURE(dir.string());
    std::optional<Manifest> manifest;
    std::optional<ImageConfig> config;
    std::string config_text;
    if (fs::exists(dir / "manifest.json")) {
      std::string text = Slurp(dir / "manifest.json");
      manifest = ParseRoundTrip<Manifest>(text);
      CheckSameJson(text, manifest->Serialize());
      bool docker = dir.string().find("/image/") != std::string::npos;
      CHECK(manifest->format() == (docker ? ImageFormat::kDocker : ImageFormat::kOci));
      CHECK(IsConfig(manifest->config.media_type));
      for (const Descriptor& layer : manifest->layers) CHECK(IsLayer(layer.media_type));
      // Converting to the other format and back is lossless.
      ImageFormat other = docker ? ImageFormat::kOci : ImageFormat::kDocker;
      auto converted = manifest->ConvertedTo(other);
      REQUIRE(converted);
      CHECK(converted->ConvertedTo(manifest->format()).value() == *manifest);
      ++manifests;
    }
    if (fs::exists(dir / "config.json")) {
      config_text = Slurp(dir / "config.json");
      config = ParseRoundTrip<ImageConfig>(config_text);
      CHECK(config->os == "linux");
      CHECK_FALSE(config->rootfs.diff_ids.empty());
      ++configs;
    }
    if (manifest && config) {
      // The goldens are byte-exact, so the manifest's config descriptor verifies.
      CHECK(manifest->config.digest.Verify(config_text));
      CHECK(manifest->config.size == static_cast<std::int64_t>(config_text.size()));
      CHECK(manifest->layers.size() == config->rootfs.diff_ids.size());
    }
  }
  CHECK(manifests == 34);
  CHECK(configs == 24);
}

TEST_CASE("zstd and uncompressed goldens report their layer compression") {
  BUILDER_NEED_CONFORMANCE(kGoldensDir);
  auto zstd =
      Manifest::Parse(Slurp(kGoldensDir / "common" / "zstd-oci-types" / "v30" / "manifest.json"));
  REQUIRE(zstd);
  for (const Descriptor& layer : zstd->layers) {
    CHECK(LayerCompressionOf(layer.media_type) == Compression::kZstd);
  }
  auto plain =
      Manifest::Parse(Slurp(kGoldensDir / "image" / "uncompressed" / "v10" / "manifest.json"));
  REQUIRE(plain);
  for (const Descriptor& layer : plain->layers) {
    CHECK(layer.media_type == kDockerLayerTar);
    CHECK(LayerCompressionOf(layer.media_type) == Compression::kNone);
  }
}

}  // namespace
}  // namespace builder::oci
