// The kernel-module event source: /dev/falco_ts (native/kmod), per-CPU rings mapped with mmap,
// drained by a thread into the same batches of EV_V2 blocks as the BPF probe's ring.
#pragma once
#include "probe.h"

namespace ft {

class KmodProbe : public Source {
 public:
  KmodProbe() = default;
  ~KmodProbe() override;
  KmodProbe(const KmodProbe &) = delete;
  KmodProbe &operator=(const KmodProbe &) = delete;

  /** Opens the device, configures, maps and starts; on failure fills err (code no-kmod,
   * kmod-version, no-permission or other) and returns false. */
  bool open(const Options &opts, OpenError &err);
  Stats stats() override;
  /** Stop the tracepoints (the module waits for running probes), drain, unmap, close. */
  void close() override;

 private:
  struct Ring {
    uint8_t *map = nullptr;  // header page + data
    uint8_t *data = nullptr;
    uint64_t tail = 0;
    uint64_t head = 0;  // snapshot of this round
  };
  void run();
  size_t drain();  // one merged round over all rings; returns bytes consumed
  void append(Ring &r, uint32_t total);
  void flush();
  void readRing(const Ring &r, uint64_t pos, void *dst, size_t n) const;

  int fd_ = -1;
  std::vector<Ring> rings_;
  size_t mapLen_ = 0;
  uint32_t ringBytes_ = 0;
  uint32_t pollUs_ = 200;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  bool started_ = false;
  bool closed_ = false;

  Batch *cur_ = nullptr;
  uint64_t curStartNs_ = 0;
  std::atomic<uint64_t> corrupt_{0};
  Stats last_;
};

/** "" when /dev/falco_ts is usable, else why not (missing, version, busy...). */
std::string kmodStatus();

}  // namespace ft
