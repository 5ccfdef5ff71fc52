// Probe lifecycle: open -> set rodata -> load -> select syscalls -> attach -> consumer thread;
// close: detach -> drain -> stop thread -> free (see ../../../shared/docs/native-notes.md).
#include "probe.h"

#include <linux/types.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

#include "shared.h"
#include "syscall_table.h"
#include "probe.skel.h"

namespace ft {

namespace {

constexpr size_t kBatchCap = 4u << 20;          // bytes per batch
constexpr uint64_t kFlushNs = 10'000'000;       // a partial batch waits at most 10 ms
constexpr size_t kMaxQueued = 256u << 20;       // JS not reading: stop draining (ring fills, drops counted)

std::string g_libbpfLog;

int libbpfPrint(enum libbpf_print_level level, const char *fmt, va_list ap) {
  if (level == LIBBPF_DEBUG) return 0;
  char buf[4096];
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  if (n >= int(sizeof buf)) {  // the verifier log comes as one long message: keep all of it
    std::string big(size_t(n) + 1, '\0');
    vsnprintf(&big[0], big.size(), fmt, ap2);
    big.resize(size_t(n));
    g_libbpfLog.append(big);
  } else if (n > 0) {
    g_libbpfLog.append(buf, size_t(n));
  }
  va_end(ap2);
  if (g_libbpfLog.size() > (64u << 20)) g_libbpfLog.erase(0, g_libbpfLog.size() - (32u << 20));
  return 0;
}

uint64_t nowNs(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + ts.tv_nsec;
}

// LZ4 frame buffers that JS dropped (batchBufferPut), kept for the next frames: their pages are
// mapped already (a fresh 4 MiB buffer per frame cost page faults and clearing).
// Never destroyed: JS finalizers may give buffers back while the process exits.
std::mutex &g_poolMu = *new std::mutex;
std::vector<uint8_t *> &g_pool = *new std::vector<uint8_t *>;
constexpr size_t kPoolMax = 8;
const size_t kFrameCap = Lz4FrameWriter::bound(kBatchCap);

Batch *newBatch(size_t cap) {
  Batch *b = new Batch();
  b->data = batchBufferGet(cap);
  b->cap = b->data ? cap : 0;
  return b;
}

// CLOCK_BOOTTIME - CLOCK_MONOTONIC: the time spent suspended since boot (constant while awake)
int64_t bootMinusMono() {
  uint64_t m0 = nowNs(CLOCK_MONOTONIC), b = nowNs(CLOCK_BOOTTIME), m1 = nowNs(CLOCK_MONOTONIC);
  return int64_t(b - m0 / 2 - m1 / 2);
}

std::string firstLine(const std::string &s) {
  auto p = s.find('\n');
  return p == std::string::npos ? s : s.substr(0, p);
}

}  // namespace

uint8_t *batchBufferGet(size_t cap) {
  if (cap == kFrameCap) {
    std::lock_guard<std::mutex> g(g_poolMu);
    if (!g_pool.empty()) {
      uint8_t *p = g_pool.back();
      g_pool.pop_back();
      return p;
    }
  }
  return static_cast<uint8_t *>(malloc(cap));
}

void batchBufferPut(uint8_t *p, size_t cap) {
  if (p && cap == kFrameCap) {
    std::lock_guard<std::mutex> g(g_poolMu);
    if (g_pool.size() < kPoolMax) {
      g_pool.push_back(p);
      return;
    }
  }
  free(p);
}

std::string kernelRelease() {
  struct utsname u;
  if (uname(&u) != 0) return "unknown";
  return u.release;
}

bool haveBtf() { return access("/sys/kernel/btf/vmlinux", R_OK) == 0; }

std::string libbpfVersion() {
  return std::to_string(libbpf_major_version()) + "." + std::to_string(libbpf_minor_version());
}

Probe::~Probe() {
  close();
  free(stage_);
}

bool Probe::open(const Options &o, OpenError &err) {
  if (!haveBtf()) {
    err = {"no-btf", "the kernel has no BTF (/sys/kernel/btf/vmlinux is missing): the CO-RE probe needs CONFIG_DEBUG_INFO_BTF=y"};
    return false;
  }
  g_libbpfLog.clear();
  libbpf_set_print(libbpfPrint);

  skel_ = probe__open();
  if (!skel_) {
    err = {"other", "cannot open the embedded BPF object: " + std::string(strerror(errno))};
    return false;
  }
  // configuration (rodata) before load
  skel_->rodata->snaplen = o.snaplen > 65000 ? 65000 : o.snaplen;
  skel_->rodata->count_only = o.countOnly ? 1 : 0;
  uint32_t n = 0;
  for (uint32_t pid : o.ignorePids)
    if (n < FT_MAX_IGNORE) skel_->rodata->ignore_tgid[n++] = pid;
  skel_->rodata->n_ignore = n;
  std::set<uint32_t> want(o.eventTypes.begin(), o.eventTypes.end());
  skel_->rodata->want_procexit = o.allEvents || want.count(186) || want.count(187) ? 1 : 0;
  skel_->rodata->kf_comm_on = o.kernelNames.empty() ? 0 : 1;

  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0 || ncpu > FT_MAX_CPUS) ncpu = FT_MAX_CPUS;
  bpf_map__set_max_entries(skel_->maps.aux_maps, ncpu);
  // per-CPU rings: ringBytes split over the CPUs, a power of two of 1 MiB segments each (>= 2)
  uint64_t perCpu = o.ringBytes / uint64_t(ncpu);
  uint32_t shift = 1;
  while (shift < 10 && (uint64_t(FT_SEG_SIZE) << (shift + 1)) <= perCpu) shift++;
  if (o.countOnly) shift = 1;
  ncpu_ = uint32_t(ncpu);
  nsegShift_ = shift;
  skel_->rodata->n_cpus = uint32_t(ncpu);
  skel_->rodata->nseg_shift = shift;
  bpf_map__set_max_entries(skel_->maps.rings, uint32_t(ncpu) << shift);

  if (probe__load(skel_) != 0) {
    int e = errno;
    bool verifier = g_libbpfLog.find("PROG LOAD LOG") != std::string::npos ||
                    g_libbpfLog.find("processed ") != std::string::npos;
    if (verifier && e != EPERM) {
      std::string path = o.verifierLogPath.empty() ? "/tmp/falco-ts-verifier.log" : o.verifierLogPath;
      FILE *f = fopen(path.c_str(), "w");
      if (f) {
        fwrite(g_libbpfLog.data(), 1, g_libbpfLog.size(), f);
        fclose(f);
      }
      err = {"verifier", "the kernel verifier rejected the probe (" + std::string(strerror(e)) + "); log saved to " + path};
    } else if (e == EPERM || e == EACCES) {
      err = {"no-permission", "permission denied loading the BPF probe: run as root (or with CAP_BPF, CAP_PERFMON and CAP_SYS_RESOURCE)"};
    } else {
      std::string l = firstLine(g_libbpfLog);
      err = {"other", "cannot load the BPF probe: " + std::string(strerror(e)) + (l.empty() ? "" : " (" + l + ")")};
    }
    probe__destroy(skel_);
    skel_ = nullptr;
    return false;
  }

  // event time: monotonic + offset, read as realtime - boottime at load + boottime (probe.bpf.c)
  realBoot_ = nowNs(CLOCK_REALTIME) - nowNs(CLOCK_BOOTTIME);
  bootMono_ = bootMinusMono();
  skel_->bss->g_clock_offset = realBoot_ + uint64_t(bootMono_);

  // syscall selection: a syscall is on when any of its event codes is wanted
  for (int nr = 0; nr < SYSCALL_NR_MAX; nr++) {
    bool on = o.allEvents;
    if (!on) {
      uint32_t en = g_enter_event[nr], ex = g_exit_event[nr];
      if (en == 0) on = want.count(0) || want.count(1);
      else on = want.count(en) || want.count(ex);
    }
    uint8_t sel = on ? FT_SEL_ON : 0;
    if (!o.kernelNames.empty()) {
      uint32_t en = g_enter_event[nr], ex = g_exit_event[nr];
      auto has = [&](const std::vector<uint32_t> &v) {
        return en != 0 && (std::find(v.begin(), v.end(), en) != v.end() || std::find(v.begin(), v.end(), ex) != v.end());
      };
      if (has(o.keepTypes)) sel |= FT_SEL_KEEP;
      else if (has(o.socketTypes)) sel |= FT_SEL_SOCKIO;
    }
    skel_->bss->g_sel[nr] = sel;
  }
  // the names the kernel part requires (a name of 16 bytes or more is cut as comm is)
  for (const std::string &n : o.kernelNames) {
    char key[FT_COMM_LEN] = {};
    memcpy(key, n.data(), std::min(n.size(), size_t(FT_COMM_LEN - 1)));
    uint8_t one = 1;
    bpf_map__update_elem(skel_->maps.kf_names, key, sizeof(key), &one, sizeof(one), BPF_ANY);
  }
  // ia32 syscalls are written as generic events
  skel_->bss->g_sel_ia32 = o.allEvents || want.count(0) || want.count(1) ? 1 : 0;

  ringsLen_ = (size_t(ncpu_) << nsegShift_) * FT_SEG_VALUE;
  long page = sysconf(_SC_PAGESIZE);
  ringsLen_ = (ringsLen_ + page - 1) / page * page;
  void *m = mmap(nullptr, ringsLen_, PROT_READ, MAP_SHARED, bpf_map__fd(skel_->maps.rings), 0);
  if (m == MAP_FAILED) {
    err = {"other", "cannot map the probe's ring buffers: " + std::string(strerror(errno))};
    probe__destroy(skel_);
    skel_ = nullptr;
    return false;
  }
  rings_ = static_cast<uint8_t *>(m);
  tails_.assign(ncpu_, 0);
  lz4_ = o.lz4 && !o.countOnly;
  if (lz4_ && (!lz4w_.ok() || !(stage_ = static_cast<uint8_t *>(malloc(Lz4FrameWriter::kBlock))))) lz4_ = false;  // plain blocks
  if (probe__attach(skel_) != 0) {
    int e = errno;
    err = {e == EPERM || e == EACCES ? "no-permission" : "attach",
           "cannot attach the BPF probe to the syscall tracepoints: " + std::string(strerror(e))};
    munmap(rings_, ringsLen_);
    rings_ = nullptr;
    probe__destroy(skel_);
    skel_ = nullptr;
    return false;
  }
  pollUs_ = o.pollUs ? o.pollUs : 1000;
  countOnly_ = o.countOnly;
  started_ = true;
  thread_ = std::thread([this] { run(); });
  return true;
}

void Probe::append(const uint8_t *p, size_t n, uint64_t events) {
  if (lz4_) {
    appendLz4(p, n, events);
    return;
  }
  Batch *b = cur_;
  if (b && b->len + n > b->cap) {
    flush();
    b = nullptr;
  }
  if (!b) {
    b = cur_ = newBatch(kBatchCap);
    curStartNs_ = nowNs(CLOCK_MONOTONIC);
  }
  if (b->cap < b->len + n) return;  // out of memory: lost
  memcpy(b->data + b->len, p, n);
  b->len += n;
  b->events += events;
}

// LZ4 batches: the current batch is one frame being written; records are staged in 64 KiB
// blocks, each compressed as soon as it is full (while it is in cache).
void Probe::appendLz4(const uint8_t *p, size_t n, uint64_t events) {
  if (cur_ && cur_->rawLen + n > kBatchCap) flush();
  if (!cur_) {
    cur_ = newBatch(kFrameCap);
    if (!cur_->data) {  // out of memory: lost
      delete cur_;
      cur_ = nullptr;
      return;
    }
    cur_->lz4 = true;
    cur_->len = lz4w_.begin(cur_->data);
    curStartNs_ = nowNs(CLOCK_MONOTONIC);
  }
  cur_->rawLen += n;
  cur_->events += events;
  while (n > 0) {
    size_t k = std::min(n, Lz4FrameWriter::kBlock - stageLen_);
    memcpy(stage_ + stageLen_, p, k);
    stageLen_ += k;
    p += k;
    n -= k;
    if (stageLen_ == Lz4FrameWriter::kBlock) compressStage(cur_);
  }
}

void Probe::compressStage(Batch *b) {
  b->len += lz4w_.block(stage_, stageLen_, b->data + b->len);
  stageLen_ = 0;
}

// One pass over the per-CPU rings: every published record is appended to the current batch,
// the CPUs merged by timestamp (each CPU's records are in time order; a run of records of one
// CPU older than every other CPU's next record is copied in one go). Returns bytes consumed.
size_t Probe::drain() {
  const uint32_t n = ncpu_;
  const uint64_t segMask = (uint64_t(1) << nsegShift_) - 1;
  struct Cur {
    uint64_t pos, head;
    const uint8_t *rec;  // record at pos (whole: records never wrap inside a segment)
    uint64_t ts;
  };
  Cur cur[FT_MAX_CPUS];
  uint32_t active[FT_MAX_CPUS];
  uint32_t na = 0;
  size_t consumed = 0;
  auto at = [&](uint32_t cpu, uint64_t pos) -> const uint8_t * {
    size_t seg = (size_t(cpu) << nsegShift_) | size_t((pos >> FT_SEG_SHIFT) & segMask);
    return rings_ + seg * FT_SEG_VALUE + (pos & (FT_SEG_SIZE - 1));
  };
  auto load = [&](uint32_t cpu) -> bool {  // the record at pos: false when none / corrupt
    Cur &c = cur[cpu];
    if (c.pos >= c.head) return false;
    const uint8_t *r = at(cpu, c.pos);
    uint32_t type, total;
    memcpy(&type, r, 4);
    memcpy(&total, r + 4, 4);
    if (type != FT_BLOCK_EV_V2 || total < 12 || (total & 3) || total >= FT_MAX_BLOCK || total > c.head - c.pos) {
      corrupt_++;
      c.pos = c.head;  // resynchronise: drop what is there
      return false;
    }
    c.rec = r;
    memcpy(&c.ts, r + FT_BLOCK_PREFIX, 8);
    return true;
  };
  backlog_ = 0;
  for (uint32_t i = 0; i < n; i++) {
    Cur &c = cur[i];
    c.pos = tails_[i];
    c.head = __atomic_load_n(&skel_->bss->g_ctl[i].head, __ATOMIC_ACQUIRE);
    backlog_ = std::max<uint64_t>(backlog_, c.head - c.pos);
    if (c.head - c.pos > (uint64_t(FT_SEG_SIZE) << nsegShift_)) {
      corrupt_++;
      c.pos = c.head;
    }
    if (load(i)) active[na++] = i;
  }
  while (na > 0) {
    // the CPU with the oldest next record, and the oldest next record of the others
    uint32_t bi = 0;
    for (uint32_t k = 1; k < na; k++)
      if (cur[active[k]].ts < cur[active[bi]].ts) bi = k;
    uint64_t limit = UINT64_MAX;
    for (uint32_t k = 0; k < na; k++)
      if (k != bi && cur[active[k]].ts < limit) limit = cur[active[k]].ts;
    uint32_t cpu = active[bi];
    Cur &c = cur[cpu];
    // a run of this CPU's records up to `limit`, contiguous inside one segment
    const uint8_t *start = c.rec;
    size_t len = 0;
    uint64_t evs = 0;
    bool more;
    for (;;) {
      uint32_t total;
      memcpy(&total, c.rec + 4, 4);
      uint64_t off = c.pos & (FT_SEG_SIZE - 1);
      len += total;
      evs++;
      c.pos += total;
      more = load(cpu);
      if (!more || c.ts > limit || off + total >= FT_SEG_SIZE || c.rec != start + len) break;
    }
    append(start, len, evs);
    consumed += len;
    if (!more) active[bi] = active[--na];
  }
  for (uint32_t i = 0; i < n; i++) {
    if (cur[i].pos != tails_[i]) {
      tails_[i] = cur[i].pos;
      __atomic_store_n(&skel_->bss->g_ctl[i].tail, cur[i].pos, __ATOMIC_RELEASE);
    }
  }
  return consumed;
}

void Probe::flush() {
  Batch *b = cur_;
  cur_ = nullptr;
  if (!b) return;
  if (b->len == 0) {
    free(b->data);
    delete b;
    return;
  }
  if (b->lz4) {  // end the frame; the buffer comes back to the pool when JS drops it
    if (stageLen_ > 0) compressStage(b);
    b->len += lz4w_.end(b->data + b->len);
    queue_.push(b);
    return;
  }
  if (b->len < b->cap / 4) {  // small batch: hand over an exact-size copy, keep memory low
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

// After a resume, boottime is ahead of monotonic by the time spent suspended: move the probe's
// clock offset so that event times stay boottime-based (only the events of the moments between
// the resume and this check keep the old offset).
void Probe::trackSuspend() {
  int64_t d = bootMinusMono();
  if (d - bootMono_ > 100000 || bootMono_ - d > 100000) {
    bootMono_ = d;
    __atomic_store_n(&skel_->bss->g_clock_offset, realBoot_ + uint64_t(d), __ATOMIC_RELAXED);
  }
}

void Probe::run() {
  while (!stop_.load(std::memory_order_relaxed)) {
    trackSuspend();
    const size_t queued = queue_.bytes();
    backlog_ = 0;
    if (queued < kMaxQueued && !countOnly_) drain();
    if (cur_ && nowNs(CLOCK_MONOTONIC) - curStartNs_ >= kFlushNs) flush();
    // one pass per poll interval (few passes, each over many records), but straight on while a
    // ring was more than a quarter full
    if (backlog_ <= (uint64_t(FT_SEG_SIZE) << nsegShift_) / 4) std::this_thread::sleep_for(std::chrono::microseconds(pollUs_));
  }
  // final drain: programs are detached, nothing new arrives
  if (!countOnly_)
    while (drain() > 0) {
    }
  flush();
}

void Probe::seedNames(const std::vector<std::pair<uint32_t, std::string>> &names) {
  if (!skel_) return;
  for (const auto &tn : names) {
    char v[FT_COMM_LEN] = {};
    memcpy(v, tn.second.data(), std::min(tn.second.size(), size_t(FT_COMM_LEN - 1)));
    // BPF_NOEXIST: a name the probe recorded at a clone or exec since it attached is newer
    bpf_map__update_elem(skel_->maps.kf_tasks, &tn.first, sizeof(tn.first), v, sizeof(v), BPF_NOEXIST);
  }
}

Stats Probe::stats() {
  Stats s;
  if (skel_) {
    for (int i = 0; i < FT_MAX_CPUS; i++) {
      const auto &c = skel_->bss->g_ctl[i];
      s.seen += c.events + c.drop_ring + c.drop_other;
      s.submitted += c.events;
      s.dropRing += c.drop_ring;
      s.dropOther += c.drop_other;
      s.kernelDropped += c.kf_dropped;
    }
    if (countOnly_) s.submitted = 0;
    last_ = s;
  } else {
    s = last_;
  }
  s.delivered = queue_.delivered;
  s.batches = queue_.batches;
  return s;
}

void Probe::close() {
  if (closed_) return;
  if (skel_) probe__detach(skel_);
  if (started_) {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  stats();  // keep the final counters
  if (rings_) munmap(rings_, ringsLen_);
  rings_ = nullptr;
  if (skel_) probe__destroy(skel_);
  skel_ = nullptr;
  closed_ = true;
  queue_.close();
}

}  // namespace ft
