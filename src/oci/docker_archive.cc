// manifest.json and repositories of docker-archive tarballs, read and written with nlohmann.
#include "oci/docker_archive.h"

#include "oci/json_codec.h"

namespace builder::oci {

Result<std::vector<DockerArchiveImage>> ParseDockerArchiveManifest(std::string_view text) {
  // Wrapped in an object so ParseObject's nesting cap guards the array too.
  std::string wrapped = "{\"m\":";
  wrapped.append(text);
  wrapped += '}';
  json::Value outer = BUILDER_TRY(json::ParseObject(wrapped, "manifest.json"));
  const json::Value& doc = outer["m"];
  if (!doc.is_array()) return json::FieldError("manifest.json", "expected a JSON array");
  std::vector<DockerArchiveImage> images;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const json::Value& item = doc[i];
    std::string path = "manifest.json[" + std::to_string(i) + "]";
    if (!item.is_object()) return json::FieldError(path, "not an object");
    DockerArchiveImage image;
    image.config = BUILDER_TRY(json::RequiredString(item, path, "Config"));
    image.repo_tags = BUILDER_TRY(json::StringArray(item, path, "RepoTags"));
    image.layers = BUILDER_TRY(json::StringArray(item, path, "Layers"));
    images.push_back(std::move(image));
  }
  return images;
}

std::string SerializeDockerArchiveManifest(const std::vector<DockerArchiveImage>& images) {
  json::Ordered doc = json::Ordered::array();
  for (const DockerArchiveImage& image : images) {
    json::Ordered item;
    item["Config"] = image.config;
    item["RepoTags"] = image.repo_tags.empty() ? json::Ordered(nullptr)
                                               : json::FromStrings(image.repo_tags);
    item["Layers"] = json::FromStrings(image.layers);
    doc.push_back(std::move(item));
  }
  return json::Dump(doc);
}

std::string SerializeDockerRepositories(const DockerRepositories& repositories) {
  json::Ordered doc = json::Ordered::object();
  for (const auto& [name, tags] : repositories) doc[name] = json::FromStringMap(tags);
  return json::Dump(doc);
}

}  // namespace builder::oci
