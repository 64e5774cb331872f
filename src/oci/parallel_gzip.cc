// pigz-style gzip: the caller fills chunks, workers deflate them, the caller writes them in order.
#include "oci/parallel_gzip.h"

#include <zlib.h>

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace builder::oci {
namespace {

// deflate's window: the most a match can reach back, so the most a chunk can use of the past.
constexpr std::size_t kWindow = 32 * 1024;

// One chunk on its way through the pipeline. The caller owns it except between handing it to
// the workers and seeing `done` under the lock.
struct Job {
  std::vector<std::uint8_t> dict;  // the kWindow input bytes before `in` (fewer at the start)
  std::vector<std::uint8_t> in;
  std::vector<std::uint8_t> out;
  std::size_t out_size = 0;
  uLong crc = 0;
  bool last = false;
  bool done = false;
  std::optional<Error> error;
};

// Raw deflate of one job with a worker's own stream. The result depends only on the job's
// bytes, `last` and the level, which is what makes the output independent of the worker count.
void Deflate(z_stream& z, Job& job) {
  job.crc = crc32(0, job.in.data(), static_cast<uInt>(job.in.size()));
  if (deflateReset(&z) != Z_OK) {
    job.error = Error(ErrorCode::kInternal, "deflateReset failed");
    return;
  }
  if (!job.dict.empty() &&
      deflateSetDictionary(&z, job.dict.data(), static_cast<uInt>(job.dict.size())) != Z_OK) {
    job.error = Error(ErrorCode::kInternal, "deflateSetDictionary failed");
    return;
  }
  // The bound holds for one Z_FINISH call; the slack covers a sync flush marker, so one call
  // normally suffices and the loop below only grows the buffer in theory.
  job.out.resize(deflateBound(&z, static_cast<uLong>(job.in.size())) + 64);
  z.next_in = job.in.data();
  z.avail_in = static_cast<uInt>(job.in.size());
  // Every chunk but the last ends on a byte boundary with a non-final block (Z_SYNC_FLUSH), so
  // the pieces concatenate into one deflate stream that the last chunk ends (Z_FINISH).
  const int flush = job.last ? Z_FINISH : Z_SYNC_FLUSH;
  std::size_t produced = 0;
  for (;;) {
    if (produced == job.out.size()) job.out.resize(job.out.size() * 2);
    z.next_out = job.out.data() + produced;
    z.avail_out = static_cast<uInt>(job.out.size() - produced);
    int rc = deflate(&z, flush);
    produced = job.out.size() - z.avail_out;
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      job.error = Error(ErrorCode::kInternal, "deflate failed: " + std::to_string(rc));
      return;
    }
    if (!job.last && z.avail_in == 0 && z.avail_out > 0) break;  // sync flush complete
  }
  job.out_size = produced;
}

void PutLe32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

class ParallelGzip final : public ByteSink {
 public:
  ParallelGzip(ByteSink& out, int level, int workers)
      : out_(out), level_(level == 0 ? 6 : level), max_workers_(workers) {
    // Reserved up front so that adding a started worker cannot throw and orphan its thread.
    workers_.reserve(static_cast<std::size_t>(workers));
  }

  ~ParallelGzip() override { StopWorkers(); }

  Result<void> Init() { return AddWorker(); }

  Result<void> Write(std::span<const std::uint8_t> bytes) override {
    if (failure_) return Fail(*failure_);
    if (closed_) return Fail(ErrorCode::kInternal, "gzip: write after close");
    while (!bytes.empty()) {
      // A full chunk is handed on only once more input shows it is not the last one.
      if (current_ && current_->in.size() == kGzipChunkSize) BUILDER_TRY(Remember(Submit(false)));
      if (!current_) current_ = TakeJob();
      std::size_t n = std::min(bytes.size(), kGzipChunkSize - current_->in.size());
      current_->in.insert(current_->in.end(), bytes.begin(), bytes.begin() + static_cast<long>(n));
      bytes = bytes.subspan(n);
    }
    return {};
  }

  Result<void> Close() override {
    if (failure_) return Fail(*failure_);
    if (closed_) return {};
    closed_ = true;
    if (!current_) current_ = TakeJob();  // empty input: one empty final chunk
    BUILDER_TRY(Remember(Submit(true)));
    while (!in_flight_.empty()) BUILDER_TRY(Remember(WriteOldest()));
    StopWorkers();
    std::uint8_t trailer[8];
    PutLe32(trailer, static_cast<std::uint32_t>(crc_));
    PutLe32(trailer + 4, static_cast<std::uint32_t>(total_in_));  // ISIZE is mod 2^32
    BUILDER_TRY(Remember(out_.Write(trailer)));
    return Remember(out_.Close());
  }

 private:
  struct Worker {
    z_stream z{};
    bool initialized = false;
    std::thread thread;
    ~Worker() {
      if (thread.joinable()) thread.join();
      if (initialized) deflateEnd(&z);
    }
  };

  // Keeps the first error so every later call reports it rather than writing a broken stream.
  Result<void> Remember(Result<void> r) {
    if (!r && !failure_) failure_ = r.error();
    return r;
  }

  Result<void> AddWorker() {
    auto w = std::make_unique<Worker>();
    // memLevel 8 and windowBits 15 are zlib's defaults; negative windowBits means raw deflate.
    if (deflateInit2(&w->z, level_, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      return Fail(ErrorCode::kInternal, "deflateInit2 failed");
    w->initialized = true;
    try {
      w->thread = std::thread([this, z = &w->z] { WorkerLoop(*z); });
    } catch (const std::system_error& e) {
      return Fail(ErrorCode::kInternal, std::string("gzip: start worker: ") + e.what());
    }
    workers_.push_back(std::move(w));
    return {};
  }

  void WorkerLoop(z_stream& z) {
    std::unique_lock lock(mu_);
    for (;;) {
      work_cv_.wait(lock, [&] { return stop_ || !todo_.empty(); });
      if (stop_) return;
      Job* job = todo_.front();
      todo_.pop_front();
      lock.unlock();
      Deflate(z, *job);
      lock.lock();
      job->done = true;
      done_cv_.notify_one();
    }
  }

  void StopWorkers() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    work_cv_.notify_all();
    workers_.clear();  // joins
  }

  std::unique_ptr<Job> TakeJob() {
    if (free_.empty()) {
      auto job = std::make_unique<Job>();
      job->in.reserve(kGzipChunkSize);
      return job;
    }
    std::unique_ptr<Job> job = std::move(free_.back());
    free_.pop_back();
    job->in.clear();
    job->dict.clear();
    job->out_size = 0;
    job->done = false;
    job->error.reset();
    return job;
  }

  // Hands the current chunk to the workers, first writing finished chunks so that no more than
  // 2 x workers are in flight.
  Result<void> Submit(bool last) {
    std::unique_ptr<Job> job = std::move(current_);
    job->last = last;
    job->dict.swap(window_);
    // The window after this chunk: the last kWindow bytes of everything so far.
    if (job->in.size() >= kWindow) {
      window_.assign(job->in.end() - kWindow, job->in.end());
    } else {
      window_ = job->dict;
      window_.insert(window_.end(), job->in.begin(), job->in.end());
      if (window_.size() > kWindow)
        window_.erase(window_.begin(), window_.end() - static_cast<long>(kWindow));
    }
    while (!in_flight_.empty() && OldestDone()) BUILDER_TRY(WriteOldest());
    const std::size_t limit = 2 * static_cast<std::size_t>(max_workers_);
    while (in_flight_.size() >= limit) BUILDER_TRY(WriteOldest());
    // Workers start lazily so a small layer does not pay for threads it cannot use.
    // More workers are an optimisation: if one cannot start, carry on with those running.
    if (static_cast<int>(workers_.size()) < max_workers_ && in_flight_.size() >= workers_.size())
      if (!AddWorker()) max_workers_ = static_cast<int>(workers_.size());
    {
      std::lock_guard lock(mu_);
      todo_.push_back(job.get());
    }
    work_cv_.notify_one();
    in_flight_.push_back(std::move(job));
    return {};
  }

  bool OldestDone() {
    std::lock_guard lock(mu_);
    return in_flight_.front()->done;
  }

  // Waits for the oldest chunk in flight and writes it to `out`.
  Result<void> WriteOldest() {
    Job& job = *in_flight_.front();
    {
      std::unique_lock lock(mu_);
      done_cv_.wait(lock, [&] { return job.done; });
    }
    if (job.error) return Fail(*job.error);
    if (!header_written_) {
      // As zlib writes it for us elsewhere: no flags, mtime 0, XFL from the level, OS 255.
      const std::uint8_t xfl = level_ == 9 ? 2 : level_ == 1 ? 4 : 0;
      const std::uint8_t header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl, 255};
      BUILDER_TRY(out_.Write(header));
      header_written_ = true;
    }
    crc_ = crc32_combine(crc_, job.crc, static_cast<z_off_t>(job.in.size()));
    total_in_ += job.in.size();
    BUILDER_TRY(out_.Write(std::span(job.out.data(), job.out_size)));
    free_.push_back(std::move(in_flight_.front()));
    in_flight_.pop_front();
    return {};
  }

  ByteSink& out_;
  const int level_;
  int max_workers_;

  // Touched only by the caller's thread.
  std::unique_ptr<Job> current_;
  std::deque<std::unique_ptr<Job>> in_flight_;  // in stream order
  std::vector<std::unique_ptr<Job>> free_;      // finished jobs, reused for their buffers
  std::vector<std::uint8_t> window_;
  uLong crc_ = 0;
  std::uint64_t total_in_ = 0;
  bool header_written_ = false;
  bool closed_ = false;
  std::optional<Error> failure_;

  // Shared with the workers.
  std::mutex mu_;
  std::condition_variable work_cv_;  // todo_ gained a job, or stop_
  std::condition_variable done_cv_;  // a job became done
  std::deque<Job*> todo_;
  bool stop_ = false;

  // Last member: its destructor (via StopWorkers) joins before the state above goes away.
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace

Result<std::unique_ptr<ByteSink>> MakeParallelGzip(ByteSink& out, int level, int workers) {
  if (level < 0 || level > 9)
    return Fail(ErrorCode::kInvalidArgument,
                "gzip level " + std::to_string(level) + " is out of range (1-9)");
  auto sink = std::make_unique<ParallelGzip>(out, level, std::clamp(workers, 1, kMaxGzipWorkers));
  BUILDER_TRY(sink->Init());
  return sink;
}

}  // namespace builder::oci
