// Image index / manifest list parsing, conversion and canonical serialization.
#include "oci/image_index.h"

#include "oci/json_codec.h"

namespace builder::oci {

Result<ImageIndex> ImageIndex::Parse(std::string_view text) {
  constexpr std::string_view kPath = "index";
  json::Value doc = BUILDER_TRY(json::ParseObject(text, kPath));
  ImageIndex index;
  std::int64_t version = BUILDER_TRY(json::Int64(doc, kPath, "schemaVersion", true));
  if (version != 2) {
    return json::FieldError("index.schemaVersion",
                            "unsupported schema version " + std::to_string(version) + " (want 2)");
  }
  std::string media_type = BUILDER_TRY(json::String(doc, kPath, "mediaType"));
  if (!media_type.empty()) {
    if (!IsIndex(media_type)) {
      std::string why =
          IsManifest(media_type) ? " is a manifest, not an index" : " is not an index media type";
      return json::FieldError("index.mediaType", "\"" + media_type + "\"" + why);
    }
    index.media_type = media_type;
  }
  index.artifact_type = BUILDER_TRY(json::String(doc, kPath, "artifactType"));
  if (!index.artifact_type.empty() && !IsValidMediaType(index.artifact_type)) {
    return json::FieldError("index.artifactType",
                            "invalid media type \"" + index.artifact_type + "\"");
  }
  const json::Value* manifests = json::Find(doc, "manifests");
  if (manifests == nullptr) return json::FieldError("index.manifests", "required field missing");
  if (!manifests->is_array()) {
    return json::FieldError("index.manifests",
                            std::string("expected an array, got ") + manifests->type_name());
  }
  index.manifests.reserve(manifests->size());
  for (std::size_t i = 0; i < manifests->size(); ++i) {
    index.manifests.push_back(BUILDER_TRY(
        json::ReadDescriptor((*manifests)[i], "index.manifests[" + std::to_string(i) + "]")));
  }
  if (const json::Value* subject = json::Find(doc, "subject")) {
    index.subject = BUILDER_TRY(json::ReadDescriptor(*subject, "index.subject"));
  }
  index.annotations = BUILDER_TRY(json::StringMap(doc, kPath, "annotations"));
  return index;
}

std::string ImageIndex::Serialize() const {
  json::Ordered out = json::Ordered::object();
  out["schemaVersion"] = schema_version;
  if (!media_type.empty()) out["mediaType"] = media_type;
  if (!artifact_type.empty()) out["artifactType"] = artifact_type;
  json::Ordered entries = json::Ordered::array();
  for (const Descriptor& d : manifests) entries.push_back(json::WriteDescriptor(d));
  out["manifests"] = std::move(entries);
  if (subject) out["subject"] = json::WriteDescriptor(*subject);
  if (!annotations.empty()) out["annotations"] = json::FromStringMap(annotations);
  return json::Dump(out);
}

ImageFormat ImageIndex::format() const {
  return media_type == kDockerManifestList ? ImageFormat::kDocker : ImageFormat::kOci;
}

Result<ImageIndex> ImageIndex::ConvertedTo(ImageFormat format) const {
  if (format == ImageFormat::kDocker && (!artifact_type.empty() || subject)) {
    return Fail(ErrorCode::kUnsupported,
                "index: a Docker manifest list cannot express artifactType or subject");
  }
  ImageIndex index = *this;
  index.media_type = std::string(IndexMediaType(format));
  for (Descriptor& d : index.manifests) {
    if (IsManifest(d.media_type)) {
      d.media_type = std::string(ManifestMediaType(format));
    } else if (IsIndex(d.media_type)) {
      d.media_type = std::string(IndexMediaType(format));
    }
  }
  return index;
}

Result<std::string> ImageIndex::Serialize(ImageFormat format) const {
  ImageIndex index = BUILDER_TRY(ConvertedTo(format));
  return index.Serialize();
}

std::vector<const Descriptor*> ImageIndex::FindPlatform(const Platform& want) const {
  std::vector<const Descriptor*> out;
  for (const Descriptor& d : manifests) {
    if (d.platform && want.Matches(*d.platform)) out.push_back(&d);
  }
  return out;
}

}  // namespace builder::oci
