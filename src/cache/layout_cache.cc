// Reading and writing the build cache as an OCI image layout directory.
#include "cache/layout_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "base/path.h"
#include "base/staging_lease.h"
#include "base/unique_fd.h"
#include "oci/byte_stream.h"
#include "oci/image_index.h"
#include "oci/media_types.h"

namespace builder::cache {

Result<LayoutCacheWriter> LayoutCacheWriter::Open(const std::string& dir) {
  auto blobs = oci::BlobStore::Open(dir);
  if (!blobs) return Fail(std::move(blobs.error()).Context("open cache directory " + dir));
  return LayoutCacheWriter(std::move(*blobs));
}

Result<void> LayoutCacheWriter::PutBlob(const oci::BlobStore& from, const oci::Descriptor& d) {
  if (blobs_.Has(d.digest)) return {};
  auto source = BUILDER_TRY(from.Open(d.digest, d.size));
  return blobs_.Ingest(*source, d);
}

Result<void> LayoutCacheWriter::PutSmallBlob(const oci::Descriptor& d, std::string_view bytes) {
  auto put = BUILDER_TRY(blobs_.Put(d.media_type, bytes));
  if (put.digest != d.digest) return Fail(ErrorCode::kInvalidArgument, "cache blob digest mismatch");
  return {};
}

Result<void> LayoutCacheWriter::PutManifest(std::string_view bytes) {
  oci::Descriptor manifest = BUILDER_TRY(blobs_.Put(oci::kOciManifest, bytes));
  manifest.artifact_type = std::string(kCacheArtifactType);
  oci::ImageIndex index;
  index.manifests.push_back(std::move(manifest));
  const std::string& root = blobs_.root();
  BUILDER_TRY(WriteFileAtomic(root + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})"));
  BUILDER_TRY(WriteFileAtomic(root + "/index.json", index.Serialize()));
  // The staging dir is the BlobStore's, not part of a layout: it goes with our lease in it.
  ReleaseStagingLease(blobs_.TmpDir());
  (void)::rmdir(blobs_.TmpDir().c_str());
  return {};
}

std::string LayoutCacheReader::BlobPath(const oci::Digest& d) const {
  return dir_ + "/blobs/" + std::string(d.algorithm()) + "/" + std::string(d.hex());
}

Result<std::string> LayoutCacheReader::GetManifest() {
  auto text = ReadFile(dir_ + "/index.json");
  if (!text) {
    if (text.error().sys_errno() == ENOENT)
      return Fail(ErrorCode::kNotFound, "no build cache in " + dir_ + " (no index.json)");
    return Fail(std::move(text.error()));
  }
  auto index = oci::ImageIndex::Parse(*text);
  if (!index) return Fail(std::move(index.error()).Context(dir_ + "/index.json"));
  const oci::Descriptor* pick = nullptr;
  for (const oci::Descriptor& d : index->manifests) {
    if (d.artifact_type == kCacheArtifactType) pick = &d;
  }
  if (!pick && index->manifests.size() == 1) pick = &index->manifests.front();
  if (!pick) return Fail(ErrorCode::kNotFound, "no build cache manifest in " + dir_ + "/index.json");
  return ReadSmallBlob(*pick);
}

Result<std::string> LayoutCacheReader::ReadSmallBlob(const oci::Descriptor& d) {
  if (!d.digest.is_sha256()) return Fail(ErrorCode::kUnsupported, "digest " + d.digest.str());
  if (d.size < 0 || d.size > oci::kMaxSmallBlob)
    return Fail(ErrorCode::kCorrupt, "blob " + d.digest.str() + " is too large for metadata");
  std::string bytes = BUILDER_TRY(ReadFile(BlobPath(d.digest)));
  if (oci::Digest::Of(bytes) != d.digest || static_cast<std::int64_t>(bytes.size()) != d.size)
    return Fail(ErrorCode::kCorrupt, "blob " + d.digest.str() + " in " + dir_ + " does not match its digest");
  return bytes;
}

Result<void> LayoutCacheReader::FetchBlob(const oci::Descriptor& d, const oci::BlobStore& into) {
  if (!d.digest.is_sha256()) return Fail(ErrorCode::kUnsupported, "digest " + d.digest.str());
  const std::string path = BlobPath(d.digest);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return FailErrno("open " + path, errno);
  oci::FdSource source(fd.get());
  return into.Ingest(source, d);
}

}  // namespace builder::cache
