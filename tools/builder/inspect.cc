// `builder inspect [--type container|image] NAME...`: a JSON array shaped like docker's inspect;
// each NAME is tried as a container first, then as an image, as docker does.
#include <iostream>
#include <set>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "container_inspect.h"

namespace builder::cli {

namespace {

using Json = nlohmann::ordered_json;

Result<Json> Describe(const oci::ImageStore& store, const oci::StoredImage& image) {
  // Config and Comment come from the raw config blob, so fields ImageConfig does not model
  // (Hostname, comment, ...) still show.
  std::string raw = BUILDER_TRY(store.blobs().Read(image.manifest.config));
  Json config = Json::parse(raw, nullptr, false);
  if (config.is_discarded() || !config.is_object()) {
    return Fail(ErrorCode::kCorrupt, "config " + image.id().str() + " is not a JSON object");
  }
  Json repo_tags = Json::array(), repo_digests = Json::array();
  std::set<std::string> seen;
  for (const oci::Reference& tag : image.tags) {
    repo_tags.push_back(tag.FamiliarString());
    if (seen.insert(tag.FamiliarName()).second) {
      repo_digests.push_back(tag.FamiliarName() + "@" + image.digest().str());
    }
  }
  Json layers = Json::array();
  for (const oci::Digest& d : image.config.rootfs.diff_ids) layers.push_back(d.str());
  Json out;
  out["Id"] = image.id().str();
  out["RepoTags"] = repo_tags;
  out["RepoDigests"] = repo_digests;
  out["Parent"] = "";
  out["Comment"] = config.contains("comment") && config["comment"].is_string()
                       ? config["comment"].get<std::string>()
                       : std::string();
  out["Created"] = image.config.created;
  out["Author"] = image.config.author;
  out["Config"] = config.contains("config") && config["config"].is_object() ? config["config"]
                                                                           : Json::object();
  out["Architecture"] = image.config.architecture;
  if (!image.config.variant.empty()) out["Variant"] = image.config.variant;
  out["Os"] = image.config.os;
  out["Size"] = image.Size();
  out["RootFS"] = {{"Type", image.config.rootfs.type}, {"Layers", layers}};
  out["Metadata"] = {{"LastTagTime", "0001-01-01T00:00:00Z"}};
  return out;
}

}  // namespace

void RegisterInspect(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("inspect", "Display detailed information on containers and images");
  static std::vector<std::string> names;
  static std::string type;
  cmd->add_option("NAME", names, "Container or image names, IDs or ID prefixes")->required();
  cmd->add_option("--type", type, "Only this type: container or image");
  cmd->callback([status] {
    auto store = OpenStore();
    if (!store) {
      *status = ReportError(store.error());
      return;
    }
    Json out = Json::array();
    std::vector<Error> errors;
    for (const std::string& name : names) {
      auto described = [&]() -> Result<Json> {
        if (type != "image") {
          runner::ContainerStore containers = BUILDER_TRY(runner::ContainerStore::Open(store->root()));
          auto id = containers.Resolve(name);
          if (id) return DescribeContainer(containers, *id);
          if (type == "container" || id.error().code() != ErrorCode::kNotFound) return Fail(std::move(id.error()));
        }
        auto image = store->Resolve(name);
        if (!image && image.error().code() == ErrorCode::kNotFound && type.empty()) {
          return Fail(ErrorCode::kNotFound, "No such object: " + name);
        }
        if (!image) return Fail(std::move(image.error()));
        return Describe(*store, *image);
      }();
      if (described) {
        out.push_back(std::move(*described));
      } else {
        errors.push_back(std::move(described.error()));
      }
    }
    std::cout << out.dump(4) << '\n';
    for (const Error& e : errors) *status = ReportError(e);
  });
}

}  // namespace builder::cli
