// Staging archive entries: from a sequential tar stream, or on demand from a layout directory.
#include "oci/archive_contents.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <set>
#include <vector>

#include "base/path.h"
#include "base/sha256.h"
#include "oci/progress_source.h"
#include "oci/tar_locale.h"
#include "oci/tar_reader.h"

namespace builder::oci {
namespace {

const std::set<std::string>& MetadataNames() {
  static const std::set<std::string> names = {"manifest.json", "index.json", "oci-layout",
                                              "repositories"};
  return names;
}

// Tar names as paths relative to the archive root: "./a//b" and "/a/b" are "a/b".
std::string EntryPath(std::string_view name) {
  std::string clean = CleanPath(name);
  while (clean.starts_with('/')) clean.erase(0, 1);
  return clean.empty() ? "." : clean;
}

// Copies source into a new staged file, hashing as it goes.
Result<StagedEntry> Stage(const BlobStore& store, ByteSource& source) {
  StagedEntry entry;
  entry.file = std::make_unique<StagedFile>(BUILDER_TRY(store.Stage()));
  Sha256 hash;
  std::vector<std::uint8_t> buf(1 << 16);
  for (;;) {
    std::size_t n = BUILDER_TRY(source.Read(buf));
    if (n == 0) break;
    hash.Update({buf.data(), n});
    BUILDER_TRY(WriteAll(entry.file->fd(),
                         {reinterpret_cast<const char*>(buf.data()), n}, "staged archive entry"));
    entry.size += static_cast<std::int64_t>(n);
  }
  entry.digest = BUILDER_TRY(Digest::FromSha256Hex(hash.FinishHex()));
  return entry;
}

// A "blobs/<alg>/<hex>" path must name its content.
Result<void> CheckBlobName(const std::string& path, const StagedEntry& entry) {
  if (!path.starts_with("blobs/")) return {};
  std::string rest = path.substr(6);
  auto slash = rest.find('/');
  if (slash == std::string::npos) return {};
  auto named = Digest::Parse(rest.substr(0, slash) + ":" + rest.substr(slash + 1));
  if (!named) return {};  // not a blob name; kept as a plain file
  if (*named != entry.digest) {
    return Fail(ErrorCode::kCorrupt, "blob " + path + " does not match its digest (content is " +
                                         entry.digest.str() + ")");
  }
  return {};
}

class Contents : public ArchiveContents {
 public:
  std::optional<std::string> Metadata(const std::string& name) const override {
    auto it = metadata_.find(name);
    if (it == metadata_.end()) return std::nullopt;
    return it->second;
  }

  Result<StagedEntry*> Get(const std::string& path) override {
    std::string p = EntryPath(path);
    for (int hops = 0; hops < 16; ++hops) {
      if (auto it = entries_.find(p); it != entries_.end()) return &it->second;
      auto link = links_.find(p);
      if (link == links_.end()) break;
      p = link->second;
    }
    if (auto staged = BUILDER_TRY(StageMissing(p))) return staged;
    return Fail(ErrorCode::kNotFound, "archive has no file " + path);
  }

 protected:
  // Directory contents stage files on demand; a tar stream has nothing more to offer.
  virtual Result<StagedEntry*> StageMissing(const std::string&) { return nullptr; }

  std::map<std::string, std::string> metadata_;
  std::map<std::string, StagedEntry> entries_;
  std::map<std::string, std::string> links_;  // path -> target path (both cleaned)
};

class TarContents final : public Contents {
 public:
  Result<void> ReadAll(const BlobStore& store, ByteSource& in) {
    ScopedUtf8Locale locale;
    auto reader = BUILDER_TRY(TarReader::Open(in));
    for (;;) {
      archive_entry* entry = BUILDER_TRY(reader->Next());
      if (!entry) break;
      const char* raw = archive_entry_pathname(entry);
      if (!raw) continue;
      std::string path = EntryPath(raw);
      if (!IsLocalPath(path) || path == ".") continue;
      auto r = Add(store, *reader, entry, path);
      if (!r) return Fail(std::move(r).error().Context("archive entry " + path));
    }
    return {};
  }

 private:
  Result<void> Add(const BlobStore& store, TarReader& reader, archive_entry* entry,
                   const std::string& path) {
    if (const char* hard = archive_entry_hardlink(entry)) {
      links_[path] = EntryPath(hard);
      return {};
    }
    switch (archive_entry_filetype(entry)) {
      case AE_IFLNK: {
        const char* target = archive_entry_symlink(entry);
        if (!target) return {};
        std::string t = std::string_view(target).starts_with('/')
                            ? EntryPath(target)
                            : CleanPath(JoinPath(DirName(path), target));
        links_[path] = t;
        return {};
      }
      case AE_IFREG:
        break;
      default:
        return {};  // directories and anything else carry no content
    }
    if (MetadataNames().contains(path)) {
      if (archive_entry_size(entry) > kMaxSmallBlob)
        return Fail(ErrorCode::kCorrupt, "larger than " + std::to_string(kMaxSmallBlob) + " bytes");
      StringSink sink;
      BUILDER_TRY(Pump(reader, sink));
      metadata_[path] = sink.data();
      return {};
    }
    // Legacy v1 metadata beside each <id>/layer.tar is never read; skipping it keeps one
    // staged file (and fd) per layer instead of three.
    if (!path.starts_with("blobs/") && (BaseName(path) == "VERSION" || BaseName(path) == "json"))
      return {};
    StagedEntry staged = BUILDER_TRY(Stage(store, reader));
    BUILDER_TRY(CheckBlobName(path, staged));
    entries_.insert_or_assign(path, std::move(staged));
    return {};
  }
};

class DirectoryContents final : public Contents {
 public:
  DirectoryContents(const BlobStore& store, std::string dir) : store_(store), dir_(std::move(dir)) {}

  Result<void> ReadMetadata() {
    for (const std::string& name : MetadataNames()) {
      auto bytes = ReadFile(JoinPath(dir_, name));
      if (bytes) {
        metadata_[name] = std::move(*bytes);
      } else if (bytes.error().code() != ErrorCode::kNotFound &&
                 bytes.error().sys_errno() != ENOENT) {
        return Fail(std::move(bytes).error());
      }
    }
    return {};
  }

 private:
  Result<StagedEntry*> StageMissing(const std::string& path) override {
    if (!IsLocalPath(path)) return nullptr;
    std::string full = JoinPath(dir_, path);
    UniqueFd fd(::open(full.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) {
      if (errno == ENOENT) return nullptr;
      return FailErrno("open " + full, errno);
    }
    FdSource source(fd.get());
    StagedEntry staged = BUILDER_TRY(Stage(store_, source));
    BUILDER_TRY(CheckBlobName(path, staged));
    return &entries_.insert_or_assign(path, std::move(staged)).first->second;
  }

  const BlobStore& store_;
  std::string dir_;
};

}  // namespace

Result<std::unique_ptr<ArchiveContents>> ReadArchiveStream(const BlobStore& store, ByteSource& in,
                                                           Progress* progress) {
  auto contents = std::make_unique<TarContents>();
  ProgressSource counted(in, progress);
  BUILDER_TRY(contents->ReadAll(store, counted));
  return std::unique_ptr<ArchiveContents>(std::move(contents));
}

Result<std::unique_ptr<ArchiveContents>> OpenLayoutDirectory(const BlobStore& store,
                                                             const std::string& dir) {
  auto contents = std::make_unique<DirectoryContents>(store, dir);
  BUILDER_TRY(contents->ReadMetadata());
  return std::unique_ptr<ArchiveContents>(std::move(contents));
}

Result<std::string> ReadStaged(const StagedEntry& entry, std::int64_t max_size) {
  if (!entry.file) return Fail(ErrorCode::kInternal, "staged entry already published");
  if (entry.size > max_size) {
    return Fail(ErrorCode::kInvalidArgument, "file of " + std::to_string(entry.size) +
                                                 " bytes is too large to read whole");
  }
  std::string out(static_cast<std::size_t>(entry.size), '\0');
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(entry.file->fd(), out.data() + done, out.size() - done,
                        static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return FailErrno("read staged file", errno);
    if (n == 0) return Fail(ErrorCode::kIo, "staged file shorter than written");
    done += static_cast<std::size_t>(n);
  }
  return out;
}

}  // namespace builder::oci
