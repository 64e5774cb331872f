// Manifest parsing, media-type conversion between OCI and Docker, canonical serialization.
#include "oci/manifest.h"

#include "oci/json_codec.h"

namespace builder::oci {
namespace {

// The OCI <-> Docker twin of a layer media type; unknown types pass through unchanged.
std::string ConvertLayerType(std::string_view media_type, ImageFormat format) {
  if (!IsLayer(media_type)) return std::string(media_type);
  if (IsForeignLayer(media_type)) {
    if (format == ImageFormat::kDocker) {
      if (media_type == kOciNondistributableLayerTarGzip) {
        return std::string(kDockerForeignLayerTarGzip);
      }
      return std::string(media_type);
    }
    if (media_type == kDockerForeignLayerTarGzip) {
      return std::string(kOciNondistributableLayerTarGzip);
    }
    return std::string(media_type);
  }
  return std::string(LayerMediaType(format, LayerCompressionOf(media_type)));
}

Result<int> ReadSchemaVersion(const json::Value& doc, std::string_view path) {
  std::int64_t v = BUILDER_TRY(json::Int64(doc, path, "schemaVersion", true));
  if (v != 2) {
    return json::FieldError(json::Join(path, "schemaVersion"),
                            "unsupported schema version " + std::to_string(v) + " (want 2)");
  }
  return 2;
}

}  // namespace

Result<Manifest> Manifest::Parse(std::string_view text) {
  constexpr std::string_view kPath = "manifest";
  json::Value doc = BUILDER_TRY(json::ParseObject(text, kPath));
  Manifest m;
  m.schema_version = BUILDER_TRY(ReadSchemaVersion(doc, kPath));
  std::string media_type = BUILDER_TRY(json::String(doc, kPath, "mediaType"));
  if (!media_type.empty()) {
    if (!IsManifest(media_type)) {
      std::string why =
          IsIndex(media_type) ? " is an index, not a manifest" : " is not a manifest media type";
      return json::FieldError(json::Join(kPath, "mediaType"), "\"" + media_type + "\"" + why);
    }
    m.media_type = media_type;
  }
  m.artifact_type = BUILDER_TRY(json::String(doc, kPath, "artifactType"));
  if (!m.artifact_type.empty() && !IsValidMediaType(m.artifact_type)) {
    return json::FieldError(json::Join(kPath, "artifactType"),
                            "invalid media type \"" + m.artifact_type + "\"");
  }
  const json::Value* config = json::Find(doc, "config");
  if (config == nullptr) return json::FieldError("manifest.config", "required field missing");
  m.config = BUILDER_TRY(json::ReadDescriptor(*config, "manifest.config"));
  const json::Value* layers = json::Find(doc, "layers");
  if (layers == nullptr) return json::FieldError("manifest.layers", "required field missing");
  if (!layers->is_array()) {
    return json::FieldError("manifest.layers",
                            std::string("expected an array, got ") + layers->type_name());
  }
  m.layers.reserve(layers->size());
  for (std::size_t i = 0; i < layers->size(); ++i) {
    m.layers.push_back(BUILDER_TRY(
        json::ReadDescriptor((*layers)[i], "manifest.layers[" + std::to_string(i) + "]")));
  }
  if (const json::Value* subject = json::Find(doc, "subject")) {
    m.subject = BUILDER_TRY(json::ReadDescriptor(*subject, "manifest.subject"));
  }
  m.annotations = BUILDER_TRY(json::StringMap(doc, kPath, "annotations"));
  return m;
}

std::string Manifest::Serialize() const {
  json::Ordered out = json::Ordered::object();
  out["schemaVersion"] = schema_version;
  if (!media_type.empty()) out["mediaType"] = media_type;
  if (!artifact_type.empty()) out["artifactType"] = artifact_type;
  out["config"] = json::WriteDescriptor(config);
  json::Ordered layer_array = json::Ordered::array();
  for (const Descriptor& layer : layers) layer_array.push_back(json::WriteDescriptor(layer));
  out["layers"] = std::move(layer_array);
  if (subject) out["subject"] = json::WriteDescriptor(*subject);
  if (!annotations.empty()) out["annotations"] = json::FromStringMap(annotations);
  return json::Dump(out);
}

ImageFormat Manifest::format() const {
  return media_type == kDockerManifest ? ImageFormat::kDocker : ImageFormat::kOci;
}

Result<Manifest> Manifest::ConvertedTo(ImageFormat format) const {
  Manifest m = *this;
  if (format == ImageFormat::kDocker) {
    if (!artifact_type.empty() || subject) {
      return Fail(ErrorCode::kUnsupported,
                  "manifest: Docker schema 2 cannot express artifactType or subject");
    }
    if (!IsConfig(config.media_type)) {
      return Fail(ErrorCode::kUnsupported,
                  "manifest: Docker schema 2 cannot reference config "
                  "type \"" +
                      config.media_type + "\"");
    }
  }
  m.media_type = std::string(ManifestMediaType(format));
  if (IsConfig(m.config.media_type)) m.config.media_type = std::string(ConfigMediaType(format));
  for (Descriptor& layer : m.layers) layer.media_type = ConvertLayerType(layer.media_type, format);
  return m;
}

Result<std::string> Manifest::Serialize(ImageFormat format) const {
  Manifest m = BUILDER_TRY(ConvertedTo(format));
  return m.Serialize();
}

}  // namespace builder::oci
