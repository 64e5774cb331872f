// ImportRootfs: input tar -> normalized PAX entries -> LayerBlobWriter -> config and manifest.
#include "oci/rootfs_importer.h"

#include <time.h>

#include <chrono>
#include <cstdio>
#include <vector>

#include "oci/layer_entry_check.h"
#include "oci/layer_stream.h"
#include "oci/media_types.h"
#include "oci/progress_source.h"
#include "oci/tar_locale.h"
#include "oci/tar_reader.h"
#include "oci/tar_writer.h"

namespace builder::oci {
namespace {

// Strips what differs between two tars of the same tree (access and change times, owner
// names, sparse maps) and clamps the mtime to SOURCE_DATE_EPOCH.
void Normalize(archive_entry* entry, const std::optional<std::int64_t>& epoch) {
  archive_entry_unset_atime(entry);
  archive_entry_unset_ctime(entry);
  archive_entry_unset_birthtime(entry);
  archive_entry_copy_uname(entry, nullptr);
  archive_entry_copy_gname(entry, nullptr);
  archive_entry_sparse_clear(entry);
  if (epoch && archive_entry_mtime_is_set(entry) && archive_entry_mtime(entry) >= *epoch) {
    archive_entry_set_mtime(entry, *epoch, 0);
  }
  if (!archive_entry_mtime_is_set(entry)) archive_entry_set_mtime(entry, epoch.value_or(0), 0);
}

Result<LayerDigests> WriteLayerBlob(ByteSource& input, int fd, const ImportOptions& options) {
  // Names pass through libarchive's charset conversion on both sides: keep it UTF-8.
  ScopedUtf8Locale locale;
  auto writer = BUILDER_TRY(LayerBlobWriter::Create(fd, options.compression));
  auto reader = BUILDER_TRY(TarReader::Open(input));
  auto tar = BUILDER_TRY(TarWriter::Create(*writer));
  std::vector<std::uint8_t> buf(1 << 16);
  std::uint64_t entries = 0;
  // The unpacker's rules, entry by entry in this same pass: a layer that could not be unpacked
  // (an entry climbing out of the root, a hard link to outside, ...) is never stored.
  LayerEntryCheck check;
  for (;;) {
    archive_entry* entry = BUILDER_TRY(reader->Next());
    if (!entry) break;
    ++entries;
    const char* name = archive_entry_pathname(entry);
    std::string shown = name ? name : "?";
    BUILDER_TRY(check.Check(entry));
    Normalize(entry, options.source_date_epoch);
    auto r = [&]() -> Result<void> {
      BUILDER_TRY(tar->WriteHeader(entry));
      if (archive_entry_size(entry) <= 0) return {};
      for (;;) {
        std::size_t n = BUILDER_TRY(reader->Read(buf));
        if (n == 0) return {};
        BUILDER_TRY(tar->WriteData({buf.data(), n}));
      }
    }();
    if (!r) return Fail(std::move(r).error().Context("import entry " + shown));
  }
  if (entries == 0) return Fail(ErrorCode::kCorrupt, "input is an empty tar archive");
  BUILDER_TRY(tar->Close());
  return writer->Finish();
}

std::string NowRfc3339() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return FormatRfc3339(ts.tv_sec, ts.tv_nsec);
}

}  // namespace

std::string FormatRfc3339(std::int64_t seconds, std::int64_t nanos) {
  time_t t = static_cast<time_t>(seconds);
  tm utc{};
  gmtime_r(&t, &utc);
  char out[64];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%S", &utc);
  std::string text = out;
  if (nanos > 0) {
    char frac[32];
    std::snprintf(frac, sizeof frac, ".%09lld", static_cast<long long>(nanos));
    std::string f = frac;
    while (f.back() == '0') f.pop_back();
    text += f;
  }
  return text + "Z";
}

Result<ImportResult> ImportRootfs(const ImageStore& store, ByteSource& tar,
                                  const ImportOptions& options) {
  if (options.progress) options.progress->Start("Importing", options.total);
  StagedFile staged = BUILDER_TRY(store.blobs().Stage());
  ProgressSource counted(tar, options.progress);
  LayerDigests digests = BUILDER_TRY(WriteLayerBlob(counted, staged.fd(), options));
  if (options.progress) options.progress->Finish();

  const Digest& blob = digests.digest;
  const Digest& diff_id = digests.diff_id;
  ImageConfig config;
  config.created = options.source_date_epoch ? FormatRfc3339(*options.source_date_epoch)
                                             : NowRfc3339();
  config.architecture = options.platform.architecture;
  config.os = options.platform.os;
  config.variant = options.platform.variant;
  config.config = options.config;
  config.rootfs.diff_ids = {diff_id};
  HistoryEntry history;
  history.created = config.created;
  history.comment = options.comment;
  config.history = {history};

  Descriptor layer;
  layer.media_type = std::string(LayerMediaType(ImageFormat::kOci, options.compression.compression));
  layer.digest = blob;
  layer.size = static_cast<std::int64_t>(digests.size);

  // From the first published blob until the tag exists, prune must not run.
  FileLock lock = BUILDER_TRY(store.LockBlobsShared());
  BUILDER_TRY(store.blobs().Commit(std::move(staged), blob));
  ImportResult result;
  result.manifest = BUILDER_TRY(store.WriteImage(config, {layer}, ImageFormat::kOci));
  result.id = Digest::Of(config.Serialize());
  if (options.tag) {
    BUILDER_TRY(store.Tag(result.manifest, *options.tag));
  } else {
    BUILDER_TRY(store.AddUntagged(result.manifest));
  }
  return result;
}

}  // namespace builder::oci
