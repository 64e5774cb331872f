// Parallel gzip: the caller fills chunks, workers compress each into a gzip member (libdeflate),
// the caller writes them in order.
#include "oci/parallel_gzip.h"

#include <libdeflate.h>

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

// One chunk on its way through the pipeline. The caller owns it except between handing it to
// the workers and seeing `done` under the lock.
struct Job {
  std::vector<std::uint8_t> in;
  std::vector<std::uint8_t> out;
  std::size_t out_size = 0;
  bool done = false;
  std::optional<Error> error;
};

using Compressor = std::unique_ptr<libdeflate_compressor, void (*)(libdeflate_compressor*)>;

// One complete gzip member of the job's bytes. The result depends only on those bytes and the
// level, which is what makes the output independent of the worker count.
void Compress(libdeflate_compressor* c, Job& job) {
  job.out.resize(libdeflate_gzip_compress_bound(c, job.in.size()));
  job.out_size = libdeflate_gzip_compress(c, job.in.data(), job.in.size(), job.out.data(), job.out.size());
  if (job.out_size == 0) job.error = Error(ErrorCode::kInternal, "gzip: libdeflate compression failed");
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
      if (!current_) current_ = TakeJob();
      std::size_t n = std::min(bytes.size(), kGzipChunkSize - current_->in.size());
      current_->in.insert(current_->in.end(), bytes.begin(), bytes.begin() + static_cast<long>(n));
      bytes = bytes.subspan(n);
      if (current_->in.size() == kGzipChunkSize) BUILDER_TRY(Remember(Submit()));
    }
    return {};
  }

  Result<void> Close() override {
    if (failure_) return Fail(*failure_);
    if (closed_) return {};
    closed_ = true;
    // The partial last chunk; empty input still makes one (empty) member.
    if (current_ || !any_submitted_) {
      if (!current_) current_ = TakeJob();
      BUILDER_TRY(Remember(Submit()));
    }
    while (!in_flight_.empty()) BUILDER_TRY(Remember(WriteOldest()));
    StopWorkers();
    return Remember(out_.Close());
  }

 private:
  struct Worker {
    Compressor compressor{nullptr, &libdeflate_free_compressor};
    std::thread thread;
    ~Worker() {
      if (thread.joinable()) thread.join();
    }
  };

  // Keeps the first error so every later call reports it rather than writing a broken stream.
  Result<void> Remember(Result<void> r) {
    if (!r && !failure_) failure_ = r.error();
    return r;
  }

  Result<void> AddWorker() {
    auto w = std::make_unique<Worker>();
    w->compressor.reset(libdeflate_alloc_compressor(level_));
    if (!w->compressor) return Fail(ErrorCode::kInternal, "gzip: libdeflate_alloc_compressor failed");
    try {
      w->thread = std::thread([this, c = w->compressor.get()] { WorkerLoop(c); });
    } catch (const std::system_error& e) {
      return Fail(ErrorCode::kInternal, std::string("gzip: start worker: ") + e.what());
    }
    workers_.push_back(std::move(w));
    return {};
  }

  void WorkerLoop(libdeflate_compressor* c) {
    std::unique_lock lock(mu_);
    for (;;) {
      work_cv_.wait(lock, [&] { return stop_ || !todo_.empty(); });
      if (stop_) return;
      Job* job = todo_.front();
      todo_.pop_front();
      lock.unlock();
      Compress(c, *job);
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
    job->out_size = 0;
    job->done = false;
    job->error.reset();
    return job;
  }

  // Hands the current chunk to the workers, first writing finished chunks so that no more than
  // 2 x workers are in flight.
  Result<void> Submit() {
    std::unique_ptr<Job> job = std::move(current_);
    any_submitted_ = true;
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
  bool any_submitted_ = false;
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
