// --output specs parsed and dispatched to the store's exporters (save's archive, the rootfs export).
#include "build_output.h"

#include <unistd.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "base/path.h"
#include "base/staged_file.h"
#include "oci/archive_writer.h"
#include "oci/byte_stream.h"
#include "oci/rootfs_export.h"

namespace builder::cli {

Result<OutputSpec> ParseOutputSpec(const std::string& value) {
  OutputSpec spec;
  if (value == "-") {  // buildx: `-o -` is the rootfs tar on stdout
    spec.type = OutputSpec::Type::kTar;
    spec.dest = "-";
    return spec;
  }
  if (value.find('=') == std::string::npos) {
    if (value.empty()) return Fail(ErrorCode::kInvalidArgument, "--output: empty value");
    spec.dest = value;  // `-o DIR`
    return spec;
  }
  std::optional<std::string> type;
  std::size_t pos = 0;
  while (pos <= value.size()) {
    std::size_t comma = value.find(',', pos);
    if (comma == std::string::npos) comma = value.size();
    std::string field = value.substr(pos, comma - pos);
    pos = comma + 1;
    std::size_t eq = field.find('=');
    if (eq == std::string::npos)
      return Fail(ErrorCode::kInvalidArgument, "--output: invalid field '" + field + "': expected KEY=VALUE");
    std::string key = field.substr(0, eq), val = field.substr(eq + 1);
    if (key == "type") type = val;
    else if (key == "dest") spec.dest = val;
    else if (key == "name") spec.name = val;
    else return Fail(ErrorCode::kInvalidArgument, "--output: unknown key '" + key + "'");
  }
  if (!type) return Fail(ErrorCode::kInvalidArgument, "--output: missing type=");
  if (*type == "oci") spec.type = OutputSpec::Type::kOci;
  else if (*type == "docker") spec.type = OutputSpec::Type::kDocker;
  else if (*type == "tar") spec.type = OutputSpec::Type::kTar;
  else if (*type == "local") spec.type = OutputSpec::Type::kLocal;
  else
    return Fail(ErrorCode::kInvalidArgument,
                "--output: unsupported type '" + *type + "' (oci, docker, tar or local)");
  const bool local = spec.type == OutputSpec::Type::kLocal;
  if (local && spec.dest.empty())
    return Fail(ErrorCode::kInvalidArgument, "--output type=local: dest= is required");
  if (local && spec.dest == "-")
    return Fail(ErrorCode::kInvalidArgument, "--output type=local: dest must be a directory, not -");
  if (spec.dest.empty()) spec.dest = "-";  // buildx: an archive without dest goes to stdout
  if (!spec.name.empty() && spec.type != OutputSpec::Type::kOci && spec.type != OutputSpec::Type::kDocker)
    return Fail(ErrorCode::kInvalidArgument, "--output type=" + *type + ": name= is for type=oci and type=docker");
  return spec;
}

namespace {

// Streams `write` to stdout ("-") or to a file staged beside dest and renamed over it.
template <class WriteFn>
Result<void> ToDest(const std::string& dest, WriteFn write) {
  if (dest == "-") {
    if (::isatty(STDOUT_FILENO))
      return Fail(ErrorCode::kInvalidArgument, "--output: refusing to write an archive to a terminal; redirect stdout");
    oci::FdSink sink(STDOUT_FILENO);
    return write(sink);
  }
  StagedFile staged = BUILDER_TRY(StagedFile::Create(DirName(dest)));
  oci::FdSink sink(staged.fd());
  BUILDER_TRY(write(sink));
  return staged.Commit(dest);
}

}  // namespace

Result<oci::StoredImage> FindBuiltImage(const oci::ImageStore& store, const oci::Digest& manifest) {
  for (oci::StoredImage& image : BUILDER_TRY(store.List()))
    if (image.digest() == manifest) return std::move(image);
  return Fail(ErrorCode::kNotFound, "the built image " + manifest.str() + " is not in the store");
}

Result<void> WriteOutput(const oci::ImageStore& store, const oci::StoredImage& image,
                         const std::vector<oci::Reference>& tags, const OutputSpec& spec) {
  switch (spec.type) {
    case OutputSpec::Type::kLocal:
      return oci::ExportRootfsDir(store, image, spec.dest);
    case OutputSpec::Type::kTar:
      return ToDest(spec.dest, [&](oci::ByteSink& sink) { return oci::ExportRootfsTar(store, image, sink); });
    case OutputSpec::Type::kOci:
    case OutputSpec::Type::kDocker: {
      std::vector<oci::Reference> names = tags;
      if (!spec.name.empty()) names = {BUILDER_TRY(oci::ParseTagReference(spec.name))};
      // save's tar is both: an OCI image layout (oci-layout, index.json, blobs/) and a docker
      // archive (manifest.json, repositories), so one writer serves both types.
      return ToDest(spec.dest, [&](oci::ByteSink& sink) {
        return oci::SaveImages(store, {oci::SaveRequest{image, names}}, sink);
      });
    }
  }
  return {};
}

std::string BuildMetadataJson(const oci::StoredImage& image, const std::vector<oci::Reference>& tags) {
  nlohmann::ordered_json j;
  j["containerimage.config.digest"] = image.id().str();
  j["containerimage.descriptor"] = {{"mediaType", image.descriptor.media_type},
                                    {"digest", image.digest().str()},
                                    {"size", image.descriptor.size}};
  j["containerimage.digest"] = image.digest().str();
  if (!tags.empty()) {
    std::string names;
    for (const auto& t : tags) names += (names.empty() ? "" : ",") + t.String();
    j["image.name"] = names;
  }
  return j.dump(2) + "\n";
}

}  // namespace builder::cli
