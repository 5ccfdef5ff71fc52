// Batches of events, and the hand-off between a source's drain thread and JavaScript: finished batches in order, the
// bytes they hold (the drain thread stops draining above a limit), and the closed flag that
// ends a wait. Shared by the BPF probe and the kernel-module source.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>

namespace ft {

/** A batch of complete EV_V2 blocks (data: batchBufferGet(cap); whoever takes it gives it back
 *  with batchBufferPut(data, cap)). */
struct Batch {
  uint8_t *data = nullptr;
  size_t len = 0;
  size_t cap = 0;
  uint64_t events = 0;
  uint64_t rawLen = 0;  // with lz4: bytes of event blocks the frame decodes to
  bool lz4 = false;     // data is one LZ4 frame
};

/** Batch memory: malloc, or a reused LZ4 frame buffer (a pool of a few, for frame-sized caps). */
uint8_t *batchBufferGet(size_t cap);
void batchBufferPut(uint8_t *p, size_t cap);

class BatchQueue {
 public:
  BatchQueue() = default;
  BatchQueue(const BatchQueue &) = delete;
  BatchQueue &operator=(const BatchQueue &) = delete;
  /** Frees what JavaScript never took. */
  ~BatchQueue() {
    for (Batch *b : q_) {
      batchBufferPut(b->data, b->cap);
      delete b;
    }
  }

  /** Drain thread: a finished batch. */
  void push(Batch *b) {
    {
      std::lock_guard<std::mutex> g(mu_);
      q_.push_back(b);
      bytes_ += b->len;
    }
    delivered += b->events;
    batches++;
    cv_.notify_all();
  }
  /** Next batch or nullptr (never blocks). */
  Batch *pop() {
    std::lock_guard<std::mutex> g(mu_);
    if (q_.empty()) return nullptr;
    Batch *b = q_.front();
    q_.pop_front();
    bytes_ -= b->len;
    return b;
  }
  /** Waits up to ms for a batch; true when one is ready (false at once when closed and empty). */
  bool wait(int ms) {
    std::unique_lock<std::mutex> g(mu_);
    if (!q_.empty()) return true;
    if (closed_) return false;
    cv_.wait_for(g, std::chrono::milliseconds(ms), [this] { return !q_.empty() || closed_; });
    return !q_.empty();
  }
  size_t bytes() {
    std::lock_guard<std::mutex> g(mu_);
    return bytes_;
  }
  /** No batch will follow: waiters return. */
  void close() {
    {
      std::lock_guard<std::mutex> g(mu_);
      closed_ = true;
    }
    cv_.notify_all();
  }

  std::atomic<uint64_t> delivered{0};  // events in the batches pushed
  std::atomic<uint64_t> batches{0};

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch *> q_;
  size_t bytes_ = 0;
  bool closed_ = false;
};

}  // namespace ft
