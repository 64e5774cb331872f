// `builder system df [-v] [--format json|TEMPLATE]`: the store's disk use as docker reports it:
// images, containers, local volumes and build cache, each with how much a prune would free.
#include <iostream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "base/path.h"
#include "cache/cache_index.h"
#include "commands.h"
#include "disk_usage.h"
#include "format_template.h"
#include "human.h"
#include "runner/volume_store.h"
#include "table.h"

namespace builder::cli {
namespace {

using Row = std::map<std::string, std::string>;

const std::vector<std::string> kFields = {"Type", "TotalCount", "Active", "Size", "Reclaimable"};
const std::map<std::string, std::string> kHeaders = {{"Type", "TYPE"},
                                                     {"TotalCount", "TOTAL"},
                                                     {"Active", "ACTIVE"},
                                                     {"Size", "SIZE"},
                                                     {"Reclaimable", "RECLAIMABLE"}};
constexpr const char* kDefaultFormat =
    "table {{.Type}}\\t{{.TotalCount}}\\t{{.Active}}\\t{{.Size}}\\t{{.Reclaimable}}";

// One line of the summary, and the detail rows -v prints under its own heading (docker's columns).
struct Usage {
  std::string type;
  std::int64_t total = 0, active = 0, size = 0, reclaimable = 0;
  bool percent = true;  ///< docker shows no percentage for the build cache
  std::vector<std::vector<std::string>> detail;

  Row ToRow() const {
    std::string rec = DockerSize(reclaimable, 4);
    if (percent && size > 0) rec += " (" + std::to_string(reclaimable * 100 / size) + "%)";
    return {{"Type", type},
            {"TotalCount", std::to_string(total)},
            {"Active", std::to_string(active)},
            {"Size", DockerSize(size, 4)},
            {"Reclaimable", rec}};
  }
};

struct Report {
  Usage images{"Images"}, containers{"Containers"}, volumes{"Local Volumes"}, cache{"Build Cache"};
};

Result<Report> Collect() {
  oci::ImageStore store = BUILDER_TRY(OpenStore());
  runner::ContainerStore containers = BUILDER_TRY(runner::ContainerStore::Open(store.root()));
  Report r;
  r.cache.percent = false;

  // Containers: their writable layer (upper dir); active ones are not reclaimable.
  std::map<std::string, int> users_of_image;  // image id -> containers
  for (const std::string& id : BUILDER_TRY(containers.List())) {
    auto v = containers.View(id);
    if (!v) continue;
    const std::int64_t size = DiskUsage(containers.DirOf(id) + "/upper");
    ++r.containers.total;
    ++users_of_image[v->spec.image_id];
    if (v->state.active()) {
      ++r.containers.active;
    } else {
      r.containers.reclaimable += size;
    }
    r.containers.size += size;
    std::string command;
    for (const std::string& a : v->spec.Argv()) command += (command.empty() ? "" : " ") + a;
    r.containers.detail.push_back({id.substr(0, 12), v->spec.image, "\"" + Ellipsis(command, 20) + "\"",
                                   std::to_string(v->spec.mounts.size()),
                                   DockerSize(size, 4), CreatedSince(v->spec.created, std::time(nullptr)),
                                   runner::StatusName(v->state.status), v->spec.name});
  }

  // Images: every blob counted once; what only unused images hold is reclaimable. A layer more
  // than one image holds is their SHARED SIZE (docker's -v), the rest each one's UNIQUE SIZE.
  std::map<std::string, std::int64_t> blob_size;
  std::set<std::string> used_blobs;
  const std::time_t now = std::time(nullptr);
  const std::vector<oci::StoredImage> images = BUILDER_TRY(store.List());
  std::map<std::string, int> images_of_layer;
  for (const oci::StoredImage& image : images) {
    std::set<std::string> own;
    for (const oci::Descriptor& l : image.manifest.layers) {
      if (own.insert(l.digest.str()).second) ++images_of_layer[l.digest.str()];
    }
  }
  for (const oci::StoredImage& image : images) {
    const auto users = users_of_image.find(image.id().str());
    const int n = users == users_of_image.end() ? 0 : users->second;
    ++r.images.total;
    if (n > 0) ++r.images.active;
    std::vector<const oci::Descriptor*> blobs = {&image.manifest.config};
    for (const oci::Descriptor& l : image.manifest.layers) blobs.push_back(&l);
    for (const oci::Descriptor* d : blobs) {
      blob_size[d->digest.str()] = d->size;
      if (n > 0) used_blobs.insert(d->digest.str());
    }
    std::int64_t shared = 0;
    std::set<std::string> own;
    for (const oci::Descriptor& l : image.manifest.layers) {
      if (own.insert(l.digest.str()).second && images_of_layer[l.digest.str()] > 1) shared += l.size;
    }
    const bool tagged = !image.tags.empty();
    r.images.detail.push_back({tagged ? image.tags.front().FamiliarName() : "<none>",
                               tagged ? image.tags.front().tag() : "<none>", image.id().ShortId(),
                               CreatedSince(image.config.created, now), DockerSize(image.Size(), 4),
                               DockerSize(shared, 4), DockerSize(image.Size() - shared, 4),
                               std::to_string(n)});
  }
  for (const auto& [digest, size] : blob_size) {
    r.images.size += size;
    if (!used_blobs.contains(digest)) r.images.reclaimable += size;
  }

  // Local volumes: in use while a container holds them.
  if (auto volumes = runner::VolumeStore::Open(store.root())) {
    for (const runner::VolumeInfo& v : BUILDER_TRY(volumes->List())) {
      const std::int64_t size = DiskUsage(v.mountpoint);
      ++r.volumes.total;
      r.volumes.size += size;
      if (!v.users.empty()) {
        ++r.volumes.active;
      } else {
        r.volumes.reclaimable += size;
      }
      r.volumes.detail.push_back({v.name, std::to_string(v.users.size()), DockerSize(size, 4)});
    }
  }

  // Build cache: its entries, and the blobs they hold that no image does (what prune -a frees).
  cache::CacheIndex index = BUILDER_TRY(cache::CacheIndex::Open(store));
  // -v's rows, one per cached step (docker: one per BuildKit record). Its layer is SHARED when
  // an image holds it too. The index keeps no use count or last use: those columns stay empty.
  if (auto entries = ListDirectory(index.dir() + "/entries")) {
    for (const std::string& name : *entries) {
      if (!name.ends_with(".json") || name.starts_with(".")) continue;
      auto entry = cache::CacheEntry::Parse(ReadFile(index.dir() + "/entries/" + name).value_or(""));
      if (!entry) continue;  // damaged or replaced meanwhile; the index warns on its own reads
      ++r.cache.total;
      const std::int64_t size = entry->layer ? entry->layer->size : 0;
      const bool shared = entry->layer && blob_size.contains(entry->layer->digest.str());
      r.cache.detail.push_back({name.substr(0, 12), "regular", DockerSize(size, 4),
                                CreatedSince(entry->created, now), "", "", shared ? "true" : "false"});
    }
  }
  std::set<std::string> counted;
  for (const oci::Descriptor& d : BUILDER_TRY(index.ReferencedBlobs())) {
    if (!counted.insert(d.digest.str()).second) continue;
    r.cache.size += d.size;
    if (!blob_size.contains(d.digest.str())) r.cache.reclaimable += d.size;
  }
  return r;
}

void PrintDetail(const char* heading, std::vector<std::string> titles,
                 const std::vector<std::vector<std::string>>& rows) {
  std::cout << heading << "\n\n";
  TabWriter out;
  out.AddRow(std::move(titles));
  for (const auto& row : rows) out.AddRow(row);
  out.Print(std::cout);
  std::cout << '\n';
}

Result<void> Df(bool verbose, const std::string& format) {
  const Report r = BUILDER_TRY(Collect());
  if (verbose && format.empty()) {
    std::cout << "Images space usage:\n\n";
    TabWriter images;
    images.AddRow({"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE", "UNIQUE SIZE", "CONTAINERS"});
    for (const auto& row : r.images.detail) images.AddRow(row);
    images.Print(std::cout);
    std::cout << '\n';
    PrintDetail("Containers space usage:",
                {"CONTAINER ID", "IMAGE", "COMMAND", "LOCAL VOLUMES", "SIZE", "CREATED", "STATUS", "NAMES"},
                r.containers.detail);
    PrintDetail("Local Volumes space usage:", {"VOLUME NAME", "LINKS", "SIZE"}, r.volumes.detail);
    std::cout << "Build cache usage: " << DockerSize(r.cache.size, 4) << "\n\n";
    TabWriter cache;
    cache.AddRow({"CACHE ID", "CACHE TYPE", "SIZE", "CREATED", "LAST USED", "USAGE", "SHARED"});
    for (const auto& row : r.cache.detail) cache.AddRow(row);
    cache.Print(std::cout);
    return {};
  }
  std::vector<Row> rows;
  for (const Usage* u : {&r.images, &r.containers, &r.volumes, &r.cache}) rows.push_back(u->ToRow());
  if (format == "json") {
    // docker's keys: Type, TotalCount, Active, Size, Reclaimable (strings, as its template sees them).
    for (const Row& row : rows) {
      nlohmann::ordered_json j;
      for (const char* f : {"Active", "Reclaimable", "Size", "TotalCount", "Type"}) j[f] = row.at(f);
      std::cout << j.dump() << '\n';
    }
    return {};
  }
  return PrintRows(format.empty() ? kDefaultFormat : format, kFields, rows, kHeaders, std::cout);
}

}  // namespace

void RegisterSystem(CLI::App& app, int* status) {
  auto* system = app.add_subcommand("system", "Manage builder");
  system->require_subcommand(1);
  auto* df = system->add_subcommand("df", "Show builder disk usage");
  static bool verbose = false;
  static std::string format;
  df->add_flag("-v,--verbose", verbose, "Show detailed information on space usage");
  df->add_option("--format", format, "json, or a template: {{.Type}} {{.TotalCount}} {{.Size}} ...");
  df->callback([status] {
    auto r = Df(verbose, format);
    if (!r) *status = ReportError(r.error());
  });
}

}  // namespace builder::cli
