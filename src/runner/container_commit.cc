// CommitContainer: upper dir -> WriteLayer (overlay mode) -> LayerBlobWriter -> image config and
// manifest over the container's image.
#include "runner/container_commit.h"

#include <time.h>
#include <unistd.h>

#include "oci/layer_stream.h"
#include "oci/layer_writer.h"
#include "oci/media_types.h"
#include "oci/rootfs_importer.h"
#include "sandbox/id_map.h"

namespace builder::runner {
namespace {

// "[IP:][HOST:]CTR[/PROTO]" -> "CTR/PROTO" (tcp by default).
std::string ContainerPortOf(const std::string& mapping) {
  std::size_t colon = mapping.rfind(':');
  std::string port = colon == std::string::npos ? mapping : mapping.substr(colon + 1);
  if (port.find('/') == std::string::npos) port += "/tcp";
  return port;
}

std::string Joined(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

Result<oci::LayerWriteOptions> UpperWriteOptions() {
  oci::LayerWriteOptions o;
  o.overlay_upper = true;
  if (::geteuid() != 0) {
    // Rootless: the upper dir holds host ids; the image must record the container's.
    sandbox::IdMaps maps = BUILDER_TRY(sandbox::IdMapsForCurrentUser());
    for (const sandbox::IdMapping& m : maps.uids) o.uid_map.push_back({m.container_id, m.host_id, m.size});
    for (const sandbox::IdMapping& m : maps.gids) o.gid_map.push_back({m.container_id, m.host_id, m.size});
  }
  return o;
}

std::string NowRfc3339() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return oci::FormatRfc3339(ts.tv_sec, ts.tv_nsec);
}

}  // namespace

oci::ContainerConfig CommitConfig(const oci::ContainerConfig& image, const ContainerSpec& container) {
  oci::ContainerConfig c = image;
  c.cmd = container.cmd;
  c.entrypoint = container.entrypoint;
  c.env = container.env;
  c.working_dir = container.working_dir;
  c.user = container.user;
  for (const auto& [k, v] : container.labels) c.labels[k] = v;
  if (!container.stop_signal.empty()) c.stop_signal = container.stop_signal;
  for (const std::string& p : container.ports) c.exposed_ports.insert(ContainerPortOf(p));
  return c;
}

Result<CommitResult> CommitContainer(const oci::ImageStore& images, const ContainerStore& containers,
                                     const std::string& id, const CommitOptions& options) {
  const ContainerSpec spec = BUILDER_TRY(containers.LoadSpec(id));
  auto base = images.Resolve(spec.image_id);
  if (!base) {
    return Fail(ErrorCode::kNotFound, "the image of container " + spec.name + " (" +
                                          spec.image_id + ") is no longer in the store");
  }

  StagedFile staged = BUILDER_TRY(images.blobs().Stage());
  auto writer = BUILDER_TRY(oci::LayerBlobWriter::Create(staged.fd(), options.compression));
  oci::LayerWriteOptions wopts = BUILDER_TRY(UpperWriteOptions());
  const std::string upper = containers.DirOf(id) + "/upper";
  auto stats = oci::WriteLayer(upper, wopts, *writer);
  if (!stats) return Fail(std::move(stats).error().Context("write layer of " + upper));
  oci::LayerDigests digests = BUILDER_TRY(writer->Finish());

  oci::ImageConfig config = base->config;
  config.created = NowRfc3339();
  config.author = options.author;
  config.config = CommitConfig(base->config.config, spec);
  if (options.edit_config) BUILDER_TRY(options.edit_config(config.config));
  oci::HistoryEntry history;
  history.created = config.created;
  history.created_by = Joined(spec.cmd);
  history.author = options.author;
  history.comment = options.comment;
  history.empty_layer = stats->entries == 0;
  config.history.push_back(history);

  std::vector<oci::Descriptor> layers;
  for (const oci::Descriptor& l : base->manifest.layers) {
    oci::Descriptor d = l;
    if (!oci::IsForeignLayer(l.media_type)) {
      d.media_type = std::string(oci::LayerMediaType(oci::ImageFormat::kOci,
                                                     oci::LayerCompressionOf(l.media_type)));
    }
    layers.push_back(std::move(d));
  }
  if (!history.empty_layer) {
    config.rootfs.diff_ids.push_back(digests.diff_id);
    oci::Descriptor d;
    d.media_type = std::string(oci::LayerMediaType(oci::ImageFormat::kOci, options.compression.compression));
    d.digest = digests.digest;
    d.size = static_cast<std::int64_t>(digests.size);
    layers.push_back(std::move(d));
  }

  // From the first published blob until the tag exists, prune must not run.
  FileLock lock = BUILDER_TRY(images.LockBlobsShared());
  if (!history.empty_layer) BUILDER_TRY(images.blobs().Commit(std::move(staged), digests.digest));
  CommitResult result;
  result.empty_layer = history.empty_layer;
  result.manifest = BUILDER_TRY(images.WriteImage(config, layers, oci::ImageFormat::kOci));
  result.id = oci::Digest::Of(config.Serialize());
  if (options.tag) {
    BUILDER_TRY(images.Tag(result.manifest, *options.tag));
  } else {
    BUILDER_TRY(images.AddUntagged(result.manifest));
  }
  return result;
}

}  // namespace builder::runner
