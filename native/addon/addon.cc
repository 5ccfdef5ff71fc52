// Node-API surface of the native capture (contract: src/capture/native-api.ts):
//   openProbe(opts) -> { read(), wait(ms), stats(), close() }, info(); syslogOpen/syslogSend
//   (syslog.cc).
// Errors thrown by openProbe carry .code = no-permission | no-btf | verifier | attach | other
// (driver 'kmod': no-kmod | kmod-version too). opts.driver: 'ebpf' (default) or 'kmod'.
#include <napi.h>

#include <algorithm>
#include <memory>
#include <set>

#include "probe.h"
#include "kmod.h"
#include "lz4frame.h"
#include "../plugin/plugin_loader.h"
#include "syslog.h"
#include <lz4.h>

namespace {

class ProbeWrap : public Napi::ObjectWrap<ProbeWrap> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "NativeProbe",
                       {InstanceMethod("read", &ProbeWrap::Read), InstanceMethod("wait", &ProbeWrap::Wait),
                        InstanceMethod("stats", &ProbeWrap::Stats), InstanceMethod("close", &ProbeWrap::Close),
                        InstanceMethod("seedNames", &ProbeWrap::SeedNames)});
  }
  explicit ProbeWrap(const Napi::CallbackInfo &info) : Napi::ObjectWrap<ProbeWrap>(info) {}
  ~ProbeWrap() override { probe_.reset(); }

  std::shared_ptr<ft::Source> probe_;

  static Napi::Value BatchToJs(Napi::Env env, ft::Batch *b) {
    if (!b) return env.Null();
    uint8_t *data = b->data;
    size_t len = b->len;
    void *cap = reinterpret_cast<void *>(uintptr_t(b->cap));  // the finalizer's hint
    bool lz4 = b->lz4;
    double events = double(b->events), raw = double(b->rawLen);
    delete b;
    auto buf = Napi::Buffer<uint8_t>::New(
        env, data, len, [](Napi::Env, uint8_t *d, void *c) { ft::batchBufferPut(d, size_t(reinterpret_cast<uintptr_t>(c))); }, cap);
    if (lz4) {  // one LZ4 frame of `events` event blocks, `rawLength` bytes once decoded
      buf.Set("lz4Events", events);
      buf.Set("rawLength", raw);
    }
    return buf;
  }

 private:
  Napi::Value Read(const Napi::CallbackInfo &info) {
    if (!probe_) return info.Env().Null();
    return BatchToJs(info.Env(), probe_->pop());
  }

  class WaitWorker : public Napi::AsyncWorker {
   public:
    WaitWorker(Napi::Env env, std::shared_ptr<ft::Source> p, int ms)
        : Napi::AsyncWorker(env), probe_(std::move(p)), ms_(ms), deferred_(Napi::Promise::Deferred::New(env)) {}
    void Execute() override { probe_->wait(ms_); }
    void OnOK() override {
      Napi::Env env = Env();
      deferred_.Resolve(BatchToJs(env, probe_->pop()));
    }
    Napi::Promise Promise() { return deferred_.Promise(); }

   private:
    std::shared_ptr<ft::Source> probe_;
    int ms_;
    Napi::Promise::Deferred deferred_;
  };

  Napi::Value Wait(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    int ms = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0;
    if (ms < 0) ms = 0;
    if (!probe_) {
      auto d = Napi::Promise::Deferred::New(env);
      d.Resolve(env.Null());
      return d.Promise();
    }
    auto *w = new WaitWorker(env, probe_, ms);
    Napi::Promise p = w->Promise();
    w->Queue();
    return p;
  }

  Napi::Value Stats(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    ft::Stats s = probe_ ? probe_->stats() : ft::Stats();
    o.Set("seen", double(s.seen));
    o.Set("delivered", double(s.delivered));
    o.Set("droppedRingFull", double(s.dropRing));
    o.Set("droppedOther", double(s.dropOther));
    o.Set("batches", double(s.batches));
    o.Set("submitted", double(s.submitted));
    o.Set("kernelDropped", double(s.kernelDropped));
    return o;
  }

  // seedNames(tids: number[], names: string[]) (latin1 names: the bytes of comm)
  Napi::Value SeedNames(const Napi::CallbackInfo &info) {
    if (!probe_ || info.Length() < 2 || !info[0].IsArray() || !info[1].IsArray()) return info.Env().Undefined();
    Napi::Array t = info[0].As<Napi::Array>(), n = info[1].As<Napi::Array>();
    std::vector<std::pair<uint32_t, std::string>> v;
    for (uint32_t i = 0; i < t.Length() && i < n.Length(); i++) {
      std::u16string u = n.Get(i).As<Napi::String>().Utf16Value();
      std::string b(u.begin(), u.end());  // latin1: one byte per UTF-16 unit
      v.emplace_back(t.Get(i).As<Napi::Number>().Uint32Value(), b);
    }
    probe_->seedNames(v);
    return info.Env().Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo &info) {
    if (probe_) probe_->close();
    return info.Env().Undefined();
  }
};

struct AddonData {
  Napi::FunctionReference ctor;
  std::set<std::shared_ptr<ft::Source>> open;  // closed at environment teardown
};

Napi::Value OpenProbe(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  AddonData *data = env.GetInstanceData<AddonData>();
  ft::Options o;
  bool kmod = false;
  if (info.Length() > 0 && info[0].IsObject()) {
    Napi::Object opts = info[0].As<Napi::Object>();
    auto num = [&](const char *k, double def) {
      Napi::Value v = opts.Get(k);
      return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : def;
    };
    o.ringBytes = uint64_t(num("ringBytes", double(o.ringBytes)));
    o.snaplen = uint32_t(num("snaplen", o.snaplen));
    o.pollUs = uint32_t(num("pollUs", o.pollUs));
    Napi::Value et = opts.Get("eventTypes");
    if (et.IsArray()) {
      o.allEvents = false;
      Napi::Array a = et.As<Napi::Array>();
      for (uint32_t i = 0; i < a.Length(); i++) o.eventTypes.push_back(a.Get(i).As<Napi::Number>().Uint32Value());
    }
    Napi::Value ip = opts.Get("ignorePids");
    if (ip.IsArray()) {
      Napi::Array a = ip.As<Napi::Array>();
      for (uint32_t i = 0; i < a.Length(); i++) o.ignorePids.push_back(a.Get(i).As<Napi::Number>().Uint32Value());
    }
    Napi::Value lp = opts.Get("verifierLogPath");
    if (lp.IsString()) o.verifierLogPath = lp.As<Napi::String>().Utf8Value();
    Napi::Value co = opts.Get("countOnly");
    if (co.IsBoolean()) o.countOnly = co.As<Napi::Boolean>().Value();
    Napi::Value cz = opts.Get("compress");
    o.lz4 = cz.IsString() && cz.As<Napi::String>().Utf8Value() == "lz4";
    auto u32s = [&](const char *k, std::vector<uint32_t> &out) {
      Napi::Value v = opts.Get(k);
      if (!v.IsArray()) return;
      Napi::Array a = v.As<Napi::Array>();
      for (uint32_t i = 0; i < a.Length(); i++) out.push_back(a.Get(i).As<Napi::Number>().Uint32Value());
    };
    Napi::Value kn = opts.Get("kernelNames");
    if (kn.IsArray()) {
      Napi::Array a = kn.As<Napi::Array>();
      for (uint32_t i = 0; i < a.Length(); i++) {
        std::u16string u = a.Get(i).As<Napi::String>().Utf16Value();
        o.kernelNames.emplace_back(u.begin(), u.end());  // latin1 bytes
      }
      u32s("keepTypes", o.keepTypes);
      u32s("socketTypes", o.socketTypes);
    }
    Napi::Value dr = opts.Get("driver");
    kmod = dr.IsString() && dr.As<Napi::String>().Utf8Value() == "kmod";
  }
  std::shared_ptr<ft::Source> probe;
  ft::OpenError err;
  bool ok;
  if (kmod) {
    auto k = std::make_shared<ft::KmodProbe>();
    ok = k->open(o, err);
    probe = k;
  } else {
    auto b = std::make_shared<ft::Probe>();
    ok = b->open(o, err);
    probe = b;
  }
  if (!ok) {
    Napi::Error e = Napi::Error::New(env, err.message);
    e.Set("code", Napi::String::New(env, err.code));
    e.ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Object obj = data->ctor.New({});
  ProbeWrap::Unwrap(obj)->probe_ = probe;
  data->open.insert(probe);
  return obj;
}

Napi::Value Info(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("kernel", ft::kernelRelease());
  o.Set("btf", ft::haveBtf());
  o.Set("libbpf", ft::libbpfVersion());
  o.Set("kmod", ft::kmodStatus());  // "" = /dev/falco_ts usable, else why not
  return o;
}

// lz4CompressBlock(src, srcStart, srcEnd, dst, dstStart): one raw LZ4 block of src[srcStart,
// srcEnd) at dst[dstStart...]; returns its size, 0 when it would not be smaller than the input
// (the caller then stores the block uncompressed). For the frames JS assembles (filtered
// capture, -n/-M limits): liblz4 here is several times faster than LZ4 in JS.
Napi::Value Lz4CompressBlock(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 5 || !info[0].IsBuffer() || !info[3].IsBuffer()) {
    Napi::TypeError::New(env, "lz4CompressBlock(src, start, end, dst, dstStart)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto src = info[0].As<Napi::Buffer<uint8_t>>();
  auto dst = info[3].As<Napi::Buffer<uint8_t>>();
  int64_t s = info[1].As<Napi::Number>().Int64Value(), e = info[2].As<Napi::Number>().Int64Value();
  int64_t d = info[4].As<Napi::Number>().Int64Value();
  if (s < 0 || e < s || static_cast<size_t>(e) > src.Length() || d < 0 || static_cast<size_t>(d) > dst.Length() || e - s > LZ4_MAX_INPUT_SIZE) {
    Napi::RangeError::New(env, "lz4CompressBlock: range outside the buffers").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const int n = static_cast<int>(e - s);
  const int room = static_cast<int>(std::min<size_t>(dst.Length() - d, static_cast<size_t>(n > 0 ? n - 1 : 0)));
  int z = room > 0 ? LZ4_compress_default(reinterpret_cast<const char *>(src.Data() + s), reinterpret_cast<char *>(dst.Data() + d), n, room) : 0;
  return Napi::Number::New(env, z);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto *data = new AddonData();
  data->ctor = Napi::Persistent(ProbeWrap::Init(env));
  env.SetInstanceData(data);
  env.AddCleanupHook([data]() {
    for (auto &p : data->open) p->close();
    data->open.clear();
  });
  exports.Set("openProbe", Napi::Function::New(env, OpenProbe));
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("lz4CompressBlock", Napi::Function::New(env, Lz4CompressBlock));
  ftp::RegisterPluginLoader(env, exports);  // NativePlugin: Falco plugins (.so), native/plugin/
  exports.Set("syslogOpen", Napi::Function::New(env, ft::SyslogOpen));
  exports.Set("syslogSend", Napi::Function::New(env, ft::SyslogSend));
  return exports;
}

}  // namespace

NODE_API_MODULE(falco_ts_native, Init)
