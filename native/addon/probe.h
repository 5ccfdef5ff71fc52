// Probe lifecycle (libbpf skeleton) and the ring-buffer consumer thread; no Node-API here.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "batch.h"
#include "lz4frame.h"

struct probe;        // bpftool skeleton
struct ring_buffer;  // libbpf

namespace ft {

struct Options {
  uint64_t ringBytes = 64ull << 20;
  uint32_t snaplen = 80;
  bool allEvents = true;
  std::vector<uint32_t> eventTypes;
  std::vector<uint32_t> ignorePids;
  uint32_t pollUs = 0;  // 0: the driver's default (eBPF 1000, kmod 200)
  std::string verifierLogPath;
  bool countOnly = false;
  /** deliver each batch LZ4-compressed (one frame; Batch.rawLen = uncompressed bytes) */
  bool lz4 = false;
  /** kernel name filter (src/filter/pushdown): the recorded names that may match; empty = off */
  std::vector<std::string> kernelNames;
  /** with it: event codes always passed (the state's), and passed on sockets */
  std::vector<uint32_t> keepTypes, socketTypes;
};

struct Stats {
  uint64_t seen = 0, submitted = 0, delivered = 0, dropRing = 0, dropOther = 0, batches = 0;
  uint64_t kernelDropped = 0;  // by the kernel name filter
};

struct OpenError {
  std::string code;  // no-permission | no-btf | verifier | attach | other
  std::string message;
};

/** An event source the addon drains: the BPF probe (Probe) or the kernel module (KmodProbe, kmod.h). */
class Source {
 public:
  virtual ~Source() = default;
  /** Next batch or nullptr (never blocks). */
  Batch *pop() { return queue_.pop(); }
  /** Waits up to ms for a batch; true when one is ready. */
  bool wait(int ms) { return queue_.wait(ms); }
  virtual Stats stats() = 0;
  virtual void close() = 0;
  /** The names the state recorded for tasks that existed before the probe (the /proc snapshot). */
  virtual void seedNames(const std::vector<std::pair<uint32_t, std::string>> &) {}

 protected:
  BatchQueue queue_;
};

class Probe : public Source {
 public:
  Probe() = default;
  ~Probe() override;
  Probe(const Probe &) = delete;
  Probe &operator=(const Probe &) = delete;

  /** Loads, configures and attaches; on failure fills err and returns false. */
  bool open(const Options &opts, OpenError &err);
  Stats stats() override;
  void seedNames(const std::vector<std::pair<uint32_t, std::string>> &names) override;
  /** Detach, drain what is left into the queue, stop the thread, free. Idempotent. */
  void close() override;
  bool closed() const { return closed_; }

 private:
  void run();
  size_t drain();
  void append(const uint8_t *p, size_t n, uint64_t events);
  void appendLz4(const uint8_t *p, size_t n, uint64_t events);
  void compressStage(Batch *b);
  void flush();
  void trackSuspend();

  struct probe *skel_ = nullptr;
  uint8_t *rings_ = nullptr;      // mmapped per-CPU ring segments (shared.h)
  size_t ringsLen_ = 0;
  uint32_t ncpu_ = 0;
  uint32_t nsegShift_ = 0;
  std::vector<uint64_t> tails_;   // consumer positions, one per CPU
  uint64_t backlog_ = 0;          // the fullest ring's bytes at the last drain
  uint64_t corrupt_ = 0;
  uint64_t realBoot_ = 0;         // CLOCK_REALTIME - CLOCK_BOOTTIME at open
  int64_t bootMono_ = 0;          // CLOCK_BOOTTIME - CLOCK_MONOTONIC in g_clock_offset
  bool lz4_ = false;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  bool closed_ = false;
  bool started_ = false;
  uint32_t pollUs_ = 1000;
  bool countOnly_ = false;

  Batch *cur_ = nullptr;       // consumer thread only
  uint8_t *stage_ = nullptr;   // consumer thread only: records of the LZ4 block being filled
  size_t stageLen_ = 0;
  Lz4FrameWriter lz4w_;
  uint64_t curStartNs_ = 0;
  Stats last_;
};

std::string kernelRelease();
bool haveBtf();
std::string libbpfVersion();

}  // namespace ft
