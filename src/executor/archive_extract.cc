// ADD's local archive extraction (tar, plain or gzip/bzip2/xz/zstd compressed), via libarchive.
#include "executor/archive_extract.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "oci/safe_path.h"

namespace builder::executor {
namespace {

using ArchivePtr = std::unique_ptr<archive, int (*)(archive*)>;

ArchivePtr OpenReader(const std::string& path) {
  ArchivePtr a(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) a.reset();
  return a;
}

}  // namespace

Result<bool> IsArchive(const std::string& path) {
  ArchivePtr a = OpenReader(path);
  if (!a) return false;
  archive_entry* entry = nullptr;
  int r = archive_read_next_header(a.get(), &entry);
  return r == ARCHIVE_OK || r == ARCHIVE_WARN;
}

Result<void> ExtractArchive(const std::string& path, const std::string& dest_dir, bool chown,
                            uid_t uid, gid_t gid) {
  ArchivePtr in = OpenReader(path);
  if (!in) return Fail(ErrorCode::kIo, "open archive " + path);
  ArchivePtr out(archive_write_disk_new(), archive_write_free);
  archive_write_disk_set_options(
      out.get(), ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_OWNER |
                     ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                     ARCHIVE_EXTRACT_SECURE_NODOTDOT);
  archive_entry* entry = nullptr;
  while (true) {
    int r = archive_read_next_header(in.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN)
      return Fail(ErrorCode::kCorrupt, "read " + path + ": " + archive_error_string(in.get()));
    // Names are cleaned and confined here (absolute names become relative, ".." that climbs
    // out is refused); libarchive then refuses to write through symlinks.
    auto clean = oci::CleanEntryName(archive_entry_pathname(entry));
    if (!clean) return Fail(std::move(clean.error()).Context("extract " + path));
    std::string name = *clean;
    if (name == ".") continue;
    std::string full = dest_dir + "/" + name;
    archive_entry_set_pathname(entry, full.c_str());
    if (const char* link = archive_entry_hardlink(entry)) {
      auto l = oci::CleanEntryName(link);
      if (!l) return Fail(std::move(l.error()).Context("extract " + path));
      std::string full_link = dest_dir + "/" + *l;
      archive_entry_set_hardlink(entry, full_link.c_str());
    }
    if (chown) {
      archive_entry_set_uid(entry, uid);
      archive_entry_set_gid(entry, gid);
    }
    r = archive_write_header(out.get(), entry);
    if (r < ARCHIVE_WARN)
      return Fail(ErrorCode::kIo, "extract " + name + ": " + archive_error_string(out.get()));
    const void* buf;
    size_t size;
    la_int64_t offset;
    while ((r = archive_read_data_block(in.get(), &buf, &size, &offset)) == ARCHIVE_OK) {
      if (archive_write_data_block(out.get(), buf, size, offset) < ARCHIVE_WARN)
        return Fail(ErrorCode::kIo, "extract " + name + ": " + archive_error_string(out.get()));
    }
    if (r < ARCHIVE_WARN)
      return Fail(ErrorCode::kCorrupt, "read " + path + ": " + archive_error_string(in.get()));
    if (archive_write_finish_entry(out.get()) < ARCHIVE_WARN)
      return Fail(ErrorCode::kIo, "extract " + name + ": " + archive_error_string(out.get()));
  }
  return {};
}

}  // namespace builder::executor
