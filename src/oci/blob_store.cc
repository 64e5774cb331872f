// Content-addressed blob storage: staged writes published by rename, digest-checked reads.
#include "oci/blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <memory>

#include "base/path.h"
#include "base/sha256.h"

namespace builder::oci {

namespace {

constexpr std::size_t kChunk = 1 << 16;

bool IsHexName(std::string_view name) {
  return name.size() == 64 &&
         std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::unexpected<Error> Mismatch(const Digest& digest, std::string_view what) {
  return Fail(ErrorCode::kCorrupt, "blob " + digest.str() + ": " + std::string(what));
}

/// Hashes what passes through and judges the blob when the underlying fd reaches its end.
class VerifyingSource final : public ByteSource {
 public:
  VerifyingSource(UniqueFd fd, Digest digest, std::optional<std::int64_t> size)
      : fd_(std::move(fd)), digest_(std::move(digest)), size_(size) {}

  Result<std::size_t> Read(std::span<std::uint8_t> buf) override {
    if (failure_) return std::unexpected(*failure_);
    if (done_ || buf.empty()) return 0;
    ssize_t n;
    do {
      n = ::read(fd_.get(), buf.data(), buf.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0) return Remember(Error::FromErrno("read blob " + digest_.str(), errno));
    seen_ += n;
    if (size_ && seen_ > *size_) {
      return Remember(Error(ErrorCode::kCorrupt, "blob " + digest_.str() + ": larger than " +
                                                     std::to_string(*size_) + " bytes"));
    }
    if (n > 0) {
      hash_.Update(std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n)));
      return static_cast<std::size_t>(n);
    }
    if (size_ && seen_ != *size_) {
      return Remember(Error(ErrorCode::kCorrupt, "blob " + digest_.str() + ": " +
                                                     std::to_string(seen_) + " bytes, expected " +
                                                     std::to_string(*size_)));
    }
    if (hash_.FinishHex() != digest_.hex()) {
      return Remember(Error(ErrorCode::kCorrupt,
                            "blob " + digest_.str() + ": content does not match its digest"));
    }
    done_ = true;
    return 0;
  }

 private:
  std::unexpected<Error> Remember(Error error) {
    failure_ = error;
    return std::unexpected(std::move(error));
  }

  UniqueFd fd_;
  Digest digest_;
  std::optional<std::int64_t> size_;
  Sha256 hash_;
  std::int64_t seen_ = 0;
  bool done_ = false;
  std::optional<Error> failure_;
};

/// Hashes and counts what is written into a staged file.
class HashingFileSink final : public ByteSink {
 public:
  explicit HashingFileSink(int fd) : out_(fd) {}
  Result<void> Write(std::span<const std::uint8_t> bytes) override {
    hash_.Update(bytes);
    size_ += static_cast<std::int64_t>(bytes.size());
    return out_.Write(bytes);
  }
  Result<void> Close() override { return out_.Close(); }
  std::string FinishHex() { return hash_.FinishHex(); }
  std::int64_t size() const { return size_; }

 private:
  FdSink out_;
  Sha256 hash_;
  std::int64_t size_ = 0;
};

}  // namespace

Result<BlobStore> BlobStore::Open(std::string root) {
  BlobStore store(CleanPath(root));
  BUILDER_TRY(MakeDirs(JoinPath(store.root_, "blobs/sha256")));
  BUILDER_TRY(MakeDirs(store.TmpDir()));
  return store;
}

std::string BlobStore::TmpDir() const { return JoinPath(root_, "tmp"); }

std::string BlobStore::PathOf(const Digest& digest) const {
  return root_ + "/blobs/" + std::string(digest.algorithm()) + "/" + std::string(digest.hex());
}

Result<void> BlobStore::CheckAlgorithm(const Digest& digest) const {
  if (digest.empty()) return Fail(ErrorCode::kInvalidArgument, "empty digest");
  if (!digest.is_sha256()) {
    return Fail(ErrorCode::kUnsupported,
                "digest algorithm " + std::string(digest.algorithm()) + " is not supported");
  }
  return {};
}

bool BlobStore::Has(const Digest& digest) const {
  if (!CheckAlgorithm(digest)) return false;
  struct stat st;
  return ::stat(PathOf(digest).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<std::int64_t> BlobStore::SizeOf(const Digest& digest) const {
  BUILDER_TRY(CheckAlgorithm(digest));
  struct stat st;
  if (::stat(PathOf(digest).c_str(), &st) != 0) {
    if (errno == ENOENT) return Fail(ErrorCode::kNotFound, "blob " + digest.str() + " not found");
    return FailErrno("stat blob " + digest.str(), errno);
  }
  return static_cast<std::int64_t>(st.st_size);
}

Result<StagedFile> BlobStore::Stage() const { return StagedFile::CreateLeased(TmpDir()); }

Result<void> BlobStore::Commit(StagedFile staged, const Digest& digest) const {
  BUILDER_TRY(CheckAlgorithm(digest));
  if (Has(digest)) return {};  // identical content already published; staged is unlinked
  auto committed = staged.Commit(PathOf(digest));
  if (!committed) return Fail(std::move(committed.error()).Context("publish blob " + digest.str()));
  return {};
}

Result<Descriptor> BlobStore::Put(std::string_view media_type, std::string_view bytes) const {
  Descriptor descriptor = Descriptor::For(media_type, bytes);
  if (Has(descriptor.digest)) return descriptor;
  StagedFile staged = BUILDER_TRY(Stage());
  BUILDER_TRY(staged.Write(bytes));
  BUILDER_TRY(Commit(std::move(staged), descriptor.digest));
  return descriptor;
}

Result<void> BlobStore::Ingest(ByteSource& source, const Descriptor& expected) const {
  BUILDER_TRY(CheckAlgorithm(expected.digest));
  if (Has(expected.digest)) return {};
  StagedFile staged = BUILDER_TRY(Stage());
  HashingFileSink sink(staged.fd());
  std::array<std::uint8_t, kChunk> buf;
  for (;;) {
    std::size_t n = BUILDER_TRY(source.Read(buf));
    if (n == 0) break;
    BUILDER_TRY(sink.Write(std::span<const std::uint8_t>(buf.data(), n)));
    if (sink.size() > expected.size) {
      return Mismatch(expected.digest, "more than the expected " + std::to_string(expected.size) +
                                           " bytes");
    }
  }
  if (sink.size() != expected.size) {
    return Mismatch(expected.digest, std::to_string(sink.size()) + " bytes, expected " +
                                         std::to_string(expected.size));
  }
  if (sink.FinishHex() != expected.digest.hex()) {
    return Mismatch(expected.digest, "received content does not match the digest");
  }
  return Commit(std::move(staged), expected.digest);
}

Result<UniqueFd> BlobStore::OpenFd(const Digest& digest) const {
  BUILDER_TRY(CheckAlgorithm(digest));
  UniqueFd fd(::open(PathOf(digest).c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return Fail(ErrorCode::kNotFound, "blob " + digest.str() + " not found");
    return FailErrno("open blob " + digest.str(), errno);
  }
  return fd;
}

Result<std::unique_ptr<ByteSource>> BlobStore::Open(
    const Digest& digest, std::optional<std::int64_t> expected_size) const {
  UniqueFd fd = BUILDER_TRY(OpenFd(digest));
  return std::unique_ptr<ByteSource>(
      std::make_unique<VerifyingSource>(std::move(fd), digest, expected_size));
}

Result<std::string> BlobStore::Read(const Digest& digest, std::int64_t max_size) const {
  UniqueFd fd = BUILDER_TRY(OpenFd(digest));
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return FailErrno("stat blob " + digest.str(), errno);
  if (st.st_size > max_size) {
    return Fail(ErrorCode::kInvalidArgument, "blob " + digest.str() + " is " +
                                                 std::to_string(st.st_size) +
                                                 " bytes, more than the " +
                                                 std::to_string(max_size) + " allowed here");
  }
  VerifyingSource source(std::move(fd), digest, std::nullopt);
  std::string out;
  out.reserve(static_cast<std::size_t>(st.st_size));
  std::array<std::uint8_t, kChunk> buf;
  for (;;) {
    std::size_t n = BUILDER_TRY(source.Read(buf));
    if (n == 0) break;
    out.append(reinterpret_cast<const char*>(buf.data()), n);
    if (static_cast<std::int64_t>(out.size()) > max_size) {
      return Fail(ErrorCode::kInvalidArgument, "blob " + digest.str() + " grew past " +
                                                   std::to_string(max_size) + " bytes");
    }
  }
  return out;
}

Result<std::string> BlobStore::Read(const Descriptor& descriptor) const {
  if (descriptor.size < 0 || descriptor.size > kMaxSmallBlob) {
    return Fail(ErrorCode::kInvalidArgument,
                "blob " + descriptor.digest.str() + ": size " + std::to_string(descriptor.size) +
                    " is out of range for an in-memory read");
  }
  std::int64_t stored = BUILDER_TRY(SizeOf(descriptor.digest));
  if (stored != descriptor.size) {
    return Mismatch(descriptor.digest, std::to_string(stored) + " bytes, expected " +
                                           std::to_string(descriptor.size));
  }
  std::string bytes = BUILDER_TRY(Read(descriptor.digest, descriptor.size));
  if (static_cast<std::int64_t>(bytes.size()) != descriptor.size) {
    return Mismatch(descriptor.digest, std::to_string(bytes.size()) + " bytes, expected " +
                                           std::to_string(descriptor.size));
  }
  return bytes;
}

Result<void> BlobStore::Verify(const Digest& digest,
                               std::optional<std::int64_t> expected_size) const {
  auto source = BUILDER_TRY(Open(digest, expected_size));
  std::array<std::uint8_t, kChunk> buf;
  while (BUILDER_TRY(source->Read(buf)) != 0) {
  }
  return {};
}

Result<void> BlobStore::Remove(const Digest& digest) const {
  BUILDER_TRY(CheckAlgorithm(digest));
  if (::unlink(PathOf(digest).c_str()) != 0 && errno != ENOENT) {
    return FailErrno("remove blob " + digest.str(), errno);
  }
  return {};
}

Result<std::vector<Digest>> BlobStore::List() const {
  std::vector<std::string> names = BUILDER_TRY(ListDirectory(JoinPath(root_, "blobs/sha256")));
  std::vector<Digest> out;
  for (const std::string& name : names) {
    if (!IsHexName(name)) continue;
    out.push_back(BUILDER_TRY(Digest::FromSha256Hex(name)));
  }
  return out;
}

Result<std::vector<std::string>> BlobStore::ListStrays() const {
  std::vector<std::string> names = BUILDER_TRY(ListDirectory(JoinPath(root_, "blobs/sha256")));
  std::erase_if(names, [](const std::string& n) { return IsHexName(n); });
  return names;
}

}  // namespace builder::oci
