// VerifyingSink: the size limit, hashing and final check of a streamed blob.
#include "registry/verifying_sink.h"

#include <unistd.h>

#include <cerrno>
#include <string>

#include "base/staged_file.h"

namespace builder::registry {

Result<void> VerifyingSink::Write(std::span<const std::uint8_t> bytes) {
  written_ += static_cast<std::int64_t>(bytes.size());
  if (written_ > expected_.size)
    return Fail(ErrorCode::kCorrupt, "blob " + expected_.digest.str() + ": the registry sent more than " +
                                         std::to_string(expected_.size) + " bytes");
  hash_->Update(bytes);
  BUILDER_TRY(WriteAll(fd_, {reinterpret_cast<const char*>(bytes.data()), bytes.size()},
                       "blob " + expected_.digest.str()));
  if (progress_) progress_->Advance(bytes.size());
  return {};
}

Result<void> VerifyingSink::Restart() {
  if (::ftruncate(fd_, 0) != 0 || ::lseek(fd_, 0, SEEK_SET) != 0)
    return Fail(Error(ErrorCode::kIo, "blob " + expected_.digest.str() + ": truncate: " + ErrnoText(errno), errno));
  hash_.emplace();
  written_ = 0;
  return {};
}

Result<void> VerifyingSink::Check() {
  if (written_ != expected_.size)
    return Fail(ErrorCode::kCorrupt, "blob " + expected_.digest.str() + ": got " + std::to_string(written_) +
                                         " bytes, the descriptor says " + std::to_string(expected_.size));
  std::string got = "sha256:" + hash_->FinishHex();
  if (got != expected_.digest.str())
    return Fail(ErrorCode::kCorrupt, "blob " + expected_.digest.str() + ": content digest is " + got);
  return {};
}

}  // namespace builder::registry
