// Probe lifecycle: open -> set rodata -> load -> select syscalls -> attach -> consumer thread;
// close: detach -> drain -> stop thread -> free (see ../../../shared/docs/native-notes.md).
#include "probe.h"

#include <linux/types.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <time.h>

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
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  if (n > 0) g_libbpfLog.append(buf, std::min<size_t>(n, sizeof buf - 1));
  if (g_libbpfLog.size() > (64u << 20)) g_libbpfLog.erase(0, g_libbpfLog.size() - (32u << 20));
  return 0;
}

uint64_t nowNs(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + ts.tv_nsec;
}

Batch *newBatch() {
  Batch *b = new Batch();
  b->data = static_cast<uint8_t *>(malloc(kBatchCap));
  b->cap = b->data ? kBatchCap : 0;
  return b;
}

std::string firstLine(const std::string &s) {
  auto p = s.find('\n');
  return p == std::string::npos ? s : s.substr(0, p);
}

}  // namespace

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
  for (Batch *b : queue_) {
    free(b->data);
    delete b;
  }
  queue_.clear();
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
  skel_->rodata->boot_offset_ns = nowNs(CLOCK_REALTIME) - nowNs(CLOCK_BOOTTIME);
  skel_->rodata->snaplen = o.snaplen > 65000 ? 65000 : o.snaplen;
  skel_->rodata->count_only = o.countOnly ? 1 : 0;
  uint32_t n = 0;
  for (uint32_t pid : o.ignorePids)
    if (n < FT_MAX_IGNORE) skel_->rodata->ignore_tgid[n++] = pid;
  skel_->rodata->n_ignore = n;
  std::set<uint32_t> want(o.eventTypes.begin(), o.eventTypes.end());
  skel_->rodata->want_procexit = o.allEvents || want.count(186) || want.count(187) ? 1 : 0;

  uint64_t ring = 1;
  while (ring < o.ringBytes) ring <<= 1;
  if (ring < (1u << 16)) ring = 1u << 16;
  bpf_map__set_max_entries(skel_->maps.rb, ring);
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0 || ncpu > FT_MAX_CPUS) ncpu = FT_MAX_CPUS;
  bpf_map__set_max_entries(skel_->maps.aux_maps, ncpu);

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

  // syscall selection: a syscall is on when any of its event codes is wanted
  for (int nr = 0; nr < SYSCALL_NR_MAX; nr++) {
    bool on = o.allEvents;
    if (!on) {
      uint32_t en = g_enter_event[nr], ex = g_exit_event[nr];
      if (en == 0) on = want.count(0) || want.count(1);
      else on = want.count(en) || want.count(ex);
    }
    skel_->bss->g_sel[nr] = on ? FT_SEL_ON : 0;
  }

  rb_ = ring_buffer__new(bpf_map__fd(skel_->maps.rb), onRecord, this, nullptr);
  if (!rb_) {
    err = {"other", "cannot map the BPF ring buffer: " + std::string(strerror(errno))};
    probe__destroy(skel_);
    skel_ = nullptr;
    return false;
  }
  if (probe__attach(skel_) != 0) {
    int e = errno;
    err = {e == EPERM || e == EACCES ? "no-permission" : "attach",
           "cannot attach the BPF probe to the syscall tracepoints: " + std::string(strerror(e))};
    ring_buffer__free(rb_);
    rb_ = nullptr;
    probe__destroy(skel_);
    skel_ = nullptr;
    return false;
  }
  pollUs_ = o.pollUs ? o.pollUs : 200;
  countOnly_ = o.countOnly;
  started_ = true;
  thread_ = std::thread([this] { run(); });
  return true;
}

int Probe::onRecord(void *ctx, void *data, size_t size) {
  Probe *p = static_cast<Probe *>(ctx);
  Batch *b = p->cur_;
  if (b && b->len + size > b->cap) {
    p->flush();
    b = nullptr;
  }
  if (!b) {
    b = p->cur_ = newBatch();
    p->curStartNs_ = nowNs(CLOCK_MONOTONIC);
    if (b->cap < size) {  // out of memory: drop the record
      return 0;
    }
  }
  memcpy(b->data + b->len, data, size);
  b->len += size;
  b->events++;
  return 0;
}

void Probe::push(Batch *b) {
  {
    std::lock_guard<std::mutex> g(mu_);
    queue_.push_back(b);
    queuedBytes_ += b->len;
  }
  delivered_ += b->events;
  batches_++;
  cv_.notify_all();
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
  if (b->len < b->cap / 4) {  // small batch: hand over an exact-size copy, keep memory low
    uint8_t *d = static_cast<uint8_t *>(malloc(b->len));
    if (d) {
      memcpy(d, b->data, b->len);
      free(b->data);
      b->data = d;
      b->cap = b->len;
    }
  }
  push(b);
}

void Probe::run() {
  while (!stop_.load(std::memory_order_relaxed)) {
    size_t queued;
    {
      std::lock_guard<std::mutex> g(mu_);
      queued = queuedBytes_;
    }
    int n = 0;
    if (queued < kMaxQueued) n = ring_buffer__consume(rb_);
    if (cur_ && nowNs(CLOCK_MONOTONIC) - curStartNs_ >= kFlushNs) flush();
    if (n <= 0) std::this_thread::sleep_for(std::chrono::microseconds(pollUs_));
  }
  // final drain: programs are detached, nothing new arrives
  while (ring_buffer__consume(rb_) > 0) {
  }
  flush();
}

Batch *Probe::pop() {
  std::lock_guard<std::mutex> g(mu_);
  if (queue_.empty()) return nullptr;
  Batch *b = queue_.front();
  queue_.pop_front();
  queuedBytes_ -= b->len;
  return b;
}

bool Probe::wait(int ms) {
  std::unique_lock<std::mutex> g(mu_);
  if (!queue_.empty()) return true;
  if (closed_) return false;
  cv_.wait_for(g, std::chrono::milliseconds(ms), [this] { return !queue_.empty() || closed_; });
  return !queue_.empty();
}

Stats Probe::stats() {
  Stats s;
  if (skel_) {
    for (int i = 0; i < FT_MAX_CPUS; i++) {
      const auto &c = skel_->bss->g_cnt[i];
      s.seen += c.seen;
      s.dropRing += c.drop_ring;
      s.dropOther += c.drop_other;
    }
    s.submitted = countOnly_ ? 0 : s.seen - s.dropRing - s.dropOther;
    last_ = s;
  } else {
    s = last_;
  }
  s.delivered = delivered_;
  s.batches = batches_;
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
  if (rb_) ring_buffer__free(rb_);
  rb_ = nullptr;
  if (skel_) probe__destroy(skel_);
  skel_ = nullptr;
  {
    std::lock_guard<std::mutex> g(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

}  // namespace ft
