// Kernel-module source: open /dev/falco_ts -> FT_IOC_INFO (API check) -> FT_IOC_CONFIG (rings)
// -> mmap one ring per CPU -> FT_IOC_SELECT -> FT_IOC_START -> consumer thread. Each drain round
// snapshots every ring's head and merges the records by timestamp (the BPF probe has one ring,
// so its records arrive in order; per-CPU rings need the merge, as scap does), copying them
// into 4 MiB batches, then publishes the tails.
#include "kmod.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <set>

#include "ft_kmod.h"  // linux/types.h first: shared.h and syscall_table.h use __u64/__u16
#include "shared.h"
#include "syscall_table.h"

namespace ft {

namespace {

constexpr size_t kBatchCap = 4u << 20;
constexpr uint64_t kFlushNs = 10'000'000;
constexpr size_t kMaxQueued = 256u << 20;

uint64_t monoNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + ts.tv_nsec;
}

std::string buildHint() {
  return "build and load it: make -C /usr/src/linux-headers-$(uname -r) M=$PWD/native/kmod && insmod native/kmod/" FT_KMOD_NAME ".ko";
}

}  // namespace

std::string kmodStatus() {
  int fd = ::open(FT_KMOD_DEV, O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    if (e == ENOENT) return "not loaded";
    if (e == EBUSY) return "busy";
    return strerror(e);
  }
  struct ft_kmod_info info = {};
  std::string r;
  if (ioctl(fd, FT_IOC_INFO, &info) != 0) r = "not a falco_ts device";
  else if (info.api != FT_KMOD_API) r = "interface version " + std::to_string(info.api) + ", need " + std::to_string(FT_KMOD_API);
  ::close(fd);
  return r;
}

KmodProbe::~KmodProbe() {
  close();
}

bool KmodProbe::open(const Options &o, OpenError &err) {
  fd_ = ::open(FT_KMOD_DEV, O_RDWR | O_CLOEXEC);
  if (fd_ < 0) {
    int e = errno;
    if (e == ENOENT || e == ENXIO || e == ENODEV)
      err = {"no-kmod", "the " FT_KMOD_NAME " kernel module is not loaded (" FT_KMOD_DEV " is missing): " + buildHint()};
    else if (e == EACCES || e == EPERM)
      err = {"no-permission", "permission denied opening " FT_KMOD_DEV ": run as root"};
    else if (e == EBUSY)
      err = {"other", FT_KMOD_DEV " is busy: another capture is using the kernel module"};
    else
      err = {"other", "cannot open " FT_KMOD_DEV ": " + std::string(strerror(e))};
    return false;
  }
  struct ft_kmod_info info = {};
  if (ioctl(fd_, FT_IOC_INFO, &info) != 0 || info.api != FT_KMOD_API) {
    std::string have = errno == ENOTTY ? "an unknown interface" : "interface version " + std::to_string(info.api);
    err = {"kmod-version", "the loaded " FT_KMOD_NAME " module speaks " + have + ", this build needs version " +
                               std::to_string(FT_KMOD_API) + ": reload the module built from this tree (rmmod " FT_KMOD_NAME "; " + buildHint() + ")"};
    close();
    return false;
  }
  uint32_t ncpu = info.ncpus ? info.ncpus : 1;
  uint64_t per = o.ringBytes / ncpu;
  uint32_t ring = 1u << 16;
  while (uint64_t(ring) * 2 <= per && ring < (256u << 20)) ring <<= 1;
  ringBytes_ = ring;

  struct ft_kmod_config cfg = {};
  cfg.ring_bytes = ring;
  cfg.snaplen = o.snaplen > 65000 ? 65000 : o.snaplen;
  std::set<uint32_t> want(o.eventTypes.begin(), o.eventTypes.end());
  cfg.want_procexit = o.allEvents || want.count(186) || want.count(187) ? 1 : 0;
  for (uint32_t pid : o.ignorePids)
    if (cfg.n_ignore < FT_KMOD_IGNORE) cfg.ignore_tgid[cfg.n_ignore++] = pid;
  if (ioctl(fd_, FT_IOC_CONFIG, &cfg) != 0) {
    err = {"other", "cannot configure " FT_KMOD_DEV " (" + std::to_string(ring) + "-byte rings x " + std::to_string(ncpu) +
                        " CPUs): " + std::string(strerror(errno))};
    close();
    return false;
  }
  mapLen_ = size_t(info.page_size) + ring;
  rings_.resize(ncpu);
  for (uint32_t c = 0; c < ncpu; c++) {
    void *m = mmap(nullptr, mapLen_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, off_t(c) * off_t(mapLen_));
    if (m == MAP_FAILED) {
      err = {"other", "cannot map the ring of CPU " + std::to_string(c) + ": " + std::string(strerror(errno))};
      close();
      return false;
    }
    rings_[c].map = static_cast<uint8_t *>(m);
    rings_[c].data = rings_[c].map + info.page_size;
    auto *h = reinterpret_cast<ft_kring_hdr *>(m);
    rings_[c].tail = __atomic_load_n(&h->tail, __ATOMIC_ACQUIRE);
  }
  struct ft_kmod_select sel = {};
  for (int nr = 0; nr < SYSCALL_NR_MAX; nr++) {
    bool on = o.allEvents;
    if (!on) {
      uint32_t en = g_enter_event[nr], ex = g_exit_event[nr];
      if (en == 0) on = want.count(0) || want.count(1);
      else on = want.count(en) || want.count(ex);
    }
    sel.sel[nr] = on ? FT_SEL_ON : 0;
  }
  sel.sel_ia32 = o.allEvents || want.count(0) || want.count(1) ? 1 : 0;  // as generic events
  if (ioctl(fd_, FT_IOC_SELECT, &sel) != 0 || ioctl(fd_, FT_IOC_START) != 0) {
    int e = errno;
    err = {"attach", "cannot attach the " FT_KMOD_NAME " module to the syscall tracepoints: " + std::string(strerror(e))};
    close();
    return false;
  }
  pollUs_ = o.pollUs ? o.pollUs : 200;
  started_ = true;
  thread_ = std::thread([this] { run(); });
  return true;
}

void KmodProbe::readRing(const Ring &r, uint64_t pos, void *dst, size_t n) const {
  size_t off = pos & (ringBytes_ - 1);
  size_t first = std::min<size_t>(n, ringBytes_ - off);
  memcpy(dst, r.data + off, first);
  if (first < n) memcpy(static_cast<uint8_t *>(dst) + first, r.data, n - first);
}

void KmodProbe::append(Ring &r, uint32_t total) {
  Batch *b = cur_;
  if (b && b->len + total > b->cap) {
    flush();
    b = nullptr;
  }
  if (!b) {
    b = cur_ = new Batch();
    b->data = static_cast<uint8_t *>(malloc(kBatchCap));
    b->cap = b->data ? kBatchCap : 0;
    curStartNs_ = monoNs();
  }
  if (b->cap >= b->len + total) {
    readRing(r, r.tail, b->data + b->len, total);
    b->len += total;
    b->events++;
  }
  r.tail += total;
}

size_t KmodProbe::drain() {
  size_t n = 0;
  for (auto &r : rings_) {
    auto *h = reinterpret_cast<ft_kring_hdr *>(r.map);
    r.head = __atomic_load_n(&h->head, __ATOMIC_ACQUIRE);
    if (r.head - r.tail > ringBytes_) {  // cannot happen unless the header was overwritten
      corrupt_++;
      r.tail = r.head;
    }
  }
  for (;;) {
    Ring *best = nullptr;
    uint64_t bestTs = 0;
    for (auto &r : rings_) {
      if (r.tail == r.head) continue;
      uint32_t hdr[3];  // type, total, (cpu|ts...)
      readRing(r, r.tail, hdr, 8);
      uint32_t total = hdr[1];
      if (hdr[0] != FT_BLOCK_EV_V2 || total < 12 || (total & 3) || total > FT_MAX_BLOCK || total > r.head - r.tail) {
        corrupt_++;
        r.tail = r.head;  // resynchronise: drop what is there
        continue;
      }
      uint64_t ts;
      readRing(r, r.tail + FT_BLOCK_PREFIX, &ts, 8);
      if (!best || ts < bestTs) {
        best = &r;
        bestTs = ts;
      }
    }
    if (!best) break;
    uint32_t total;
    readRing(*best, best->tail + 4, &total, 4);
    append(*best, total);
    n += total;
  }
  for (auto &r : rings_) {
    auto *h = reinterpret_cast<ft_kring_hdr *>(r.map);
    __atomic_store_n(&h->tail, r.tail, __ATOMIC_RELEASE);
  }
  return n;
}

void KmodProbe::flush() {
  Batch *b = cur_;
  cur_ = nullptr;
  if (!b) return;
  if (b->len == 0) {
    free(b->data);
    delete b;
    return;
  }
  if (b->len < b->cap / 4) {
    uint8_t *d = static_cast<uint8_t *>(malloc(b->len));
    if (d) {
      memcpy(d, b->data, b->len);
      free(b->data);
      b->data = d;
      b->cap = b->len;
    }
  }
  queue_.push(b);
}

void KmodProbe::run() {
  while (!stop_.load(std::memory_order_relaxed)) {
    const size_t queued = queue_.bytes();
    size_t n = 0;
    if (queued < kMaxQueued) n = drain();
    if (cur_ && monoNs() - curStartNs_ >= kFlushNs) flush();
    if (n == 0) std::this_thread::sleep_for(std::chrono::microseconds(pollUs_));
  }
  // final drain: the module has detached and waited for its probes
  while (drain() > 0) {
  }
  flush();
}

Stats KmodProbe::stats() {
  Stats s;
  struct ft_kmod_stats st = {};
  if (fd_ >= 0 && ioctl(fd_, FT_IOC_STATS, &st) == 0) {
    s.seen = st.seen;
    s.dropRing = st.drop_ring;
    s.dropOther = st.drop_other;
    s.submitted = st.seen - st.drop_ring - st.drop_other;
    last_ = s;
  } else {
    s = last_;
  }
  s.delivered = queue_.delivered;
  s.batches = queue_.batches;
  return s;
}

void KmodProbe::close() {
  if (closed_) return;
  if (fd_ >= 0) ioctl(fd_, FT_IOC_STOP);  // returns once no probe runs any more
  if (started_) {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  stats();
  for (auto &r : rings_)
    if (r.map) munmap(r.map, mapLen_);
  rings_.clear();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  closed_ = true;
  queue_.close();
}

}  // namespace ft
