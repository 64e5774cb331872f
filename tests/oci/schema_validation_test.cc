// Validates what our Serialize() writes against the OCI image-spec JSON Schemas, by writing
// sample documents to a temp dir and running tests/oci/validate_schema.py on them.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "base/path.h"
#include "base/subprocess.h"
#include "oci/descriptor.h"
#include "oci/image_config.h"
#include "oci/image_index.h"
#include "oci/manifest.h"
#include "support/conformance.h"

namespace builder::oci {
namespace {

namespace fs = std::filesystem;

const fs::path kSchemaDir = fs::path(BUILDER_CONFORMANCE_DIR) / "oci-image-spec-schema" / "schema";
const fs::path kExamplesDir =
    fs::path(BUILDER_CONFORMANCE_DIR) / "oci-image-spec-schema" / "examples";
const fs::path kGoldensDir = fs::path(BUILDER_CONFORMANCE_DIR) / "buildkit-compat-goldens";
// The system python: the one on PATH may be a pyenv without jsonschema.
constexpr const char* kPython = "/usr/bin/python3";

// A directory under /tmp removed with everything in it when the test ends.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/builder-oci-schema-XXXXXX";
    if (mkdtemp(tmpl) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Writes samples named "<kind>__<name>.json" (the script picks the schema by kind).
class SampleWriter {
 public:
  explicit SampleWriter(fs::path dir) : dir_(std::move(dir)) {}
  void Add(const std::string& kind, const std::string& name, const std::string& json) {
    fs::path path = dir_ / (kind + "__" + name + ".json");
    REQUIRE(WriteFileAtomic(path.string(), json));
    files_.push_back(path.string());
  }
  const std::vector<std::string>& files() const { return files_; }

 private:
  fs::path dir_;
  std::vector<std::string> files_;
};

RunResult RunValidator(std::vector<std::string> args) {
  SpawnOptions options;
  options.argv = {kPython, BUILDER_OCI_SCHEMA_SCRIPT};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.pipe_stdout = true;
  options.pipe_stderr = true;
  auto result = RunProcess(options);
  REQUIRE_MESSAGE(result, (result ? "" : result.error().ToString()));
  return *result;
}

Descriptor LayerFor(std::string_view media_type, std::string_view content) {
  return Descriptor::For(media_type, content);
}

ImageConfig SampleConfig() {
  ImageConfig c;
  c.created = "2024-05-06T07:08:09.123456789Z";
  c.author = "builder";
  c.architecture = "arm";
  c.os = "linux";
  c.variant = "v7";
  c.os_features = {"f"};
  c.config.user = "1000:1000";
  c.config.exposed_ports = {"80/tcp"};
  c.config.env = {"PATH=/bin", "EMPTY="};
  c.config.entrypoint = {"/bin/app"};
  c.config.cmd = {"--serve"};
  c.config.volumes = {"/data"};
  c.config.working_dir = "/app";
  c.config.labels = {{"a", "b"}};
  c.config.stop_signal = "SIGINT";
  c.config.args_escaped = true;
  c.config.healthcheck =
      Healthcheck{.test = {"CMD", "true"}, .interval = 1'000'000'000, .retries = 2};
  c.config.on_build = {"RUN true"};
  c.config.shell = {"/bin/sh", "-c"};
  c.rootfs.diff_ids = {Digest::Of("l1"), Digest::Of("l2")};
  c.history = {{.created = "2024-05-06T07:08:09Z", .created_by = "COPY . /app"},
               {.created_by = "ENV A=b", .comment = "c", .empty_layer = true}};
  return c;
}

void AddOurSamples(SampleWriter& w) {
  ImageConfig config = SampleConfig();
  std::string config_json = config.Serialize();
  w.Add("config", "full", config_json);
  ImageConfig minimal;
  minimal.architecture = "amd64";
  minimal.os = "linux";
  w.Add("config", "minimal", minimal.Serialize());

  Manifest m;
  m.config = Descriptor::For(kOciConfig, config_json);
  m.layers = {LayerFor(kOciLayerTarGzip, "l1"), LayerFor(kOciLayerTarZstd, "l2"),
              LayerFor(kOciLayerTar, "l3")};
  m.annotations = {{"org.opencontainers.image.created", "2024-05-06T07:08:09Z"}};
  w.Add("manifest", "oci", m.Serialize());
  auto docker = m.Serialize(ImageFormat::kDocker);
  REQUIRE(docker);
  w.Add("manifest", "docker", *docker);
  Manifest artifact = m;
  artifact.artifact_type = "application/vnd.example.sbom.v1";
  artifact.subject = Descriptor::For(kOciManifest, m.Serialize());
  artifact.config = Descriptor::For(kOciEmpty, "{}");
  artifact.config.data = "e30=";
  w.Add("manifest", "artifact", artifact.Serialize());

  Descriptor d = Descriptor::For(kOciManifest, m.Serialize());
  d.urls = {"https://example.com/blob"};
  d.annotations = {{"org.opencontainers.image.ref.name", "1.0"}};
  d.platform = Platform::Parse("linux/arm64/v8").value();
  d.artifact_type = "application/vnd.example+type";
  w.Add("descriptor", "full", d.Serialize());

  ImageIndex index;
  index.manifests = {d, Descriptor::For(kOciIndex, "nested")};
  index.annotations = {{"k", "v"}};
  w.Add("index", "oci", index.Serialize());
  auto list = index.Serialize(ImageFormat::kDocker);
  REQUIRE(list);
  w.Add("index", "docker", *list);
  w.Add("index", "empty", ImageIndex().Serialize());
  ImageIndex referrers = index;
  referrers.subject = Descriptor::For(kOciManifest, "subject");
  referrers.artifact_type = "application/vnd.example+type";
  w.Add("index", "artifact", referrers.Serialize());
}

// Every corpus document, re-serialized by us.
void AddReserializedCorpora(SampleWriter& w) {
  int n = 0;
  for (const auto& entry : fs::directory_iterator(kExamplesDir)) {
    std::string name = entry.path().filename().string();
    auto text = ReadFile(entry.path().string());
    REQUIRE(text);
    if (name.starts_with("manifest__0") && name != "manifest__02__empty-config.json") {
      w.Add("manifest", "spec" + std::to_string(n++), Manifest::Parse(*text).value().Serialize());
    } else if (name.starts_with("image-index__") || name == "image-layout__02__image-index.json") {
      w.Add("index", "spec" + std::to_string(n++), ImageIndex::Parse(*text).value().Serialize());
    } else if (name.starts_with("config__")) {
      w.Add("config", "spec" + std::to_string(n++), ImageConfig::Parse(*text).value().Serialize());
    } else if (name.starts_with("descriptor__") || name == "manifest__02__empty-config.json") {
      w.Add("descriptor", "spec" + std::to_string(n++),
            Descriptor::Parse(*text).value().Serialize());
    }
  }
  for (const auto& entry : fs::recursive_directory_iterator(kGoldensDir)) {
    std::string name = entry.path().filename().string();
    if (name != "manifest.json" && name != "config.json") continue;
    auto text = ReadFile(entry.path().string());
    REQUIRE(text);
    if (name == "manifest.json") {
      w.Add("manifest", "golden" + std::to_string(n++), Manifest::Parse(*text).value().Serialize());
    } else {
      w.Add("config", "golden" + std::to_string(n++),
            ImageConfig::Parse(*text).value().Serialize());
    }
  }
}

TEST_CASE("everything Serialize() writes validates against the OCI JSON Schemas") {
  BUILDER_NEED_CONFORMANCE(kSchemaDir);
  BUILDER_NEED_CONFORMANCE(kExamplesDir);
  BUILDER_NEED_CONFORMANCE(kGoldensDir);
  TempDir dir;
  REQUIRE_FALSE(dir.path().empty());
  SampleWriter w(dir.path());
  AddOurSamples(w);
  AddReserializedCorpora(w);
  CHECK(w.files().size() == 10 + 12 + 58);
  std::vector<std::string> args = {kSchemaDir.string()};
  args.insert(args.end(), w.files().begin(), w.files().end());
  RunResult r = RunValidator(args);
  INFO(r.out);
  INFO(r.err);
  CHECK(r.status.ok());
}

TEST_CASE("the validator accepts the spec's examples and rejects broken documents") {
  BUILDER_NEED_CONFORMANCE(kSchemaDir);
  BUILDER_NEED_CONFORMANCE(kExamplesDir);
  RunResult spec =
      RunValidator({"--tsv", (kExamplesDir / "INDEX.tsv").string(), kSchemaDir.string()});
  INFO(spec.out);
  INFO(spec.err);
  CHECK(spec.status.ok());

  TempDir dir;
  REQUIRE_FALSE(dir.path().empty());
  SampleWriter w(dir.path());
  const std::string digest = Digest::Of("x").str();
  const std::string desc = R"({"mediaType":"a/b","digest":")" + digest + R"(","size":1})";
  w.Add("manifest", "string-size",
        R"({"schemaVersion":2,"config":{"mediaType":"a/b","digest":")" + digest +
            R"(","size":"1"},"layers":[)" + desc + "]}");
  w.Add("manifest", "no-layers", R"({"schemaVersion":2,"config":)" + desc + R"(,"layers":[]})");
  w.Add("manifest", "schema-version-1",
        R"({"schemaVersion":1,"config":)" + desc + R"(,"layers":[)" + desc + "]}");
  w.Add("index", "missing-digest",
        R"({"schemaVersion":2,"manifests":[{"mediaType":"a/b","size":1}]})");
  w.Add("descriptor", "upper-case-digest",
        R"({"mediaType":"a/b","size":1,"digest":"sha256:)" + std::string(64, 'A') + "\"}");
  w.Add("descriptor", "short-sha256", R"({"mediaType":"a/b","size":1,"digest":"sha256:abcd"})");
  w.Add("descriptor", "bad-media-type",
        R"({"mediaType":"ab","size":1,"digest":")" + digest + "\"}");
  w.Add("config", "numeric-os",
        R"({"architecture":"amd64","os":1,"rootfs":{"type":"layers","diff_ids":[]}})");
  w.Add("config", "bad-env",
        R"({"architecture":"amd64","os":"linux","config":{"Env":["NOEQUALS"]},)"
        R"("rootfs":{"type":"layers","diff_ids":[]}})");
  w.Add("config", "array-volumes",
        R"({"architecture":"amd64","os":"linux","config":{"Volumes":["/data"]},)"
        R"("rootfs":{"type":"layers","diff_ids":[]}})");
  w.Add("config", "no-rootfs", R"({"architecture":"amd64","os":"linux"})");
  std::vector<std::string> args = {"--expect-invalid", kSchemaDir.string()};
  args.insert(args.end(), w.files().begin(), w.files().end());
  RunResult bad = RunValidator(args);
  INFO(bad.out);
  INFO(bad.err);
  CHECK(bad.status.ok());
}

}  // namespace
}  // namespace builder::oci
