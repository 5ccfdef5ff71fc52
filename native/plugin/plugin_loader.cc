// Loads a Falco plugin (.so, plugin API 3.x) and exposes it to JS as NativePlugin:
//   new NativePlugin(path)      dlopen, API version check, required symbols, static info
//   info()                      name, version, ..., fields JSON, init schema, capabilities
//   init(config)                plugin_init with the config string, a log vtable and a table API
//                               that has no tables (falco-ts exposes none to plugins yet)
//   open(params) -> handle, nextBatch(handle, max) -> {rc, count, data, error}, close(handle)
//   prepareExtract([[id, name, ftype, flist, argKey, argIndex, argPresent], ...]) -> set
//   extract(set, buf, offset, evtnum, source) -> values (undefined: no value)
//   logs() drains what the plugin logged; tableCalls() names the table calls it attempted
//   destroy()                   plugin_destroy + dlclose (also on garbage collection)
// Every error return of the plugin becomes a JS exception whose message is one line naming the
// plugin; only a crash inside the plugin's own code can take the process down.
#include "plugin_loader.h"

#include <dlfcn.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "plugin_abi.h"

namespace ftp {

static_assert(sizeof(event) == 26, "ppm_evt_hdr is 26 packed bytes");
static_assert(sizeof(state_data) == 8, "ss_plugin_state_data is 8 bytes");
static_assert(sizeof(extract_field) == 64, "ss_plugin_extract_field layout");
static_assert(sizeof(init_input) == 40, "ss_plugin_init_input layout");

namespace {

std::string OneLine(const char *s) {
  std::string r = s ? s : "";
  for (auto &c : r)
    if (c == '\n' || c == '\r') c = ' ';
  while (!r.empty() && r.back() == ' ') r.pop_back();
  return r;
}

struct LogEntry {
  int32_t sev;
  bool hasComponent;
  std::string component, msg;
};

// What a plugin sees as its owner: the last error it can read back, its log lines (drained by
// JS after each call), and the table calls it attempted, which falco-ts does not support yet.
struct Owner {
  std::string name;
  std::string lastError;
  std::vector<LogEntry> logs;
  std::vector<std::string> tableCalls;
  void Unsupported(const std::string &call) {
    lastError = "falco-ts exposes no state tables to plugins yet (" + call + ")";
    for (auto &c : tableCalls)
      if (c == call) return;
    tableCalls.push_back(call);
  }
};

// The table vtables take no owner: they can only be reached with a table pointer we never hand
// out, so the calls are recorded on the plugin being called at the time (single JS thread).
thread_local Owner *g_current = nullptr;
void Unsupported(const char *call) {
  if (g_current) g_current->Unsupported(call);
}
struct Current {
  explicit Current(Owner *o) : prev(g_current) { g_current = o; }
  ~Current() { g_current = prev; }
  Owner *prev;
};

const char *OwnerLastError(owner_t *o) {
  auto *ow = static_cast<Owner *>(o);
  return ow->lastError.empty() ? nullptr : ow->lastError.c_str();
}
void LogFn(owner_t *o, const char *component, const char *msg, int32_t sev) {
  static_cast<Owner *>(o)->logs.push_back({sev, component != nullptr, component ? component : "", msg ? msg : ""});
}

table_info g_noTables[1] = {{"", 0}};
table_info *ListTables(owner_t *, uint32_t *n) {
  *n = 0;  // a valid, empty list: there are no tables, which is not an error
  return g_noTables;
}
table_t *GetTable(owner_t *o, const char *name, state_type) {
  static_cast<Owner *>(o)->Unsupported(std::string("get_table '") + (name ? name : "") + "'");
  return nullptr;
}
int32_t AddTable(owner_t *o, const table_input *in) {
  const char *name = in ? *reinterpret_cast<const char *const *>(in) : nullptr;  // first member: name
  static_cast<Owner *>(o)->Unsupported(std::string("add_table '") + (name ? name : "") + "'");
  return FAILURE;
}
const table_fieldinfo *ListTableFields(table_t *, uint32_t *n) {
  if (n) *n = 0;
  Unsupported("list_table_fields");
  return nullptr;
}
table_field_t *GetTableField(table_t *, const char *, state_type) {
  Unsupported("get_table_field");
  return nullptr;
}
table_field_t *AddTableField(table_t *, const char *, state_type) {
  Unsupported("add_table_field");
  return nullptr;
}
const char *GetTableName(table_t *) {
  Unsupported("get_table_name");
  return nullptr;
}
uint64_t GetTableSize(table_t *) {
  Unsupported("get_table_size");
  return UINT64_MAX;
}
table_entry_t *GetTableEntry(table_t *, const state_data *) {
  Unsupported("get_table_entry");
  return nullptr;
}
int32_t ReadEntryField(table_t *, table_entry_t *, const table_field_t *, state_data *) {
  Unsupported("read_entry_field");
  return FAILURE;
}
void ReleaseTableEntry(table_t *, table_entry_t *) { Unsupported("release_table_entry"); }
ss_bool IterateEntries(table_t *, table_iterator_func_t, void *) {
  Unsupported("iterate_entries");
  return 0;
}
int32_t ClearTable(table_t *) {
  Unsupported("clear_table");
  return FAILURE;
}
int32_t EraseTableEntry(table_t *, const state_data *) {
  Unsupported("erase_table_entry");
  return FAILURE;
}
table_entry_t *CreateTableEntry(table_t *) {
  Unsupported("create_table_entry");
  return nullptr;
}
void DestroyTableEntry(table_t *, table_entry_t *) { Unsupported("destroy_table_entry"); }
table_entry_t *AddTableEntry(table_t *, const state_data *, table_entry_t *) {
  Unsupported("add_table_entry");
  return nullptr;
}
int32_t WriteEntryField(table_t *, table_entry_t *, const table_field_t *, const state_data *) {
  Unsupported("write_entry_field");
  return FAILURE;
}

table_fields_vtable g_fields = {ListTableFields, GetTableField, AddTableField};
table_reader_vtable g_reader = {GetTableName, GetTableSize, GetTableEntry, ReadEntryField};
table_reader_vtable_ext g_readerExt = {GetTableName,   GetTableSize,      GetTableEntry,
                                       ReadEntryField, ReleaseTableEntry, IterateEntries};
table_writer_vtable g_writer = {ClearTable, EraseTableEntry, CreateTableEntry, DestroyTableEntry, AddTableEntry, WriteEntryField};
const init_tables_input g_tables = {ListTables, GetTable, AddTable, g_fields, &g_fields, &g_readerExt, &g_writer};

bool ParseVersion(const char *s, uint32_t &ma, uint32_t &mi, uint32_t &pa) {
  char tail = 0;
  return s && std::sscanf(s, "%u.%u.%u%c", &ma, &mi, &pa, &tail) == 3;
}

uint64_t NowNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// One prepared extraction request set: the plugin's input array, reused on every call.
struct ExtractSet {
  std::vector<std::string> names, argKeys;
  std::vector<extract_field> fields;
};

class PluginWrap : public Napi::ObjectWrap<PluginWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativePlugin",
                       {InstanceMethod("info", &PluginWrap::Info), InstanceMethod("init", &PluginWrap::Init),
                        InstanceMethod("openParams", &PluginWrap::OpenParams), InstanceMethod("open", &PluginWrap::Open),
                        InstanceMethod("nextBatch", &PluginWrap::NextBatch), InstanceMethod("close", &PluginWrap::Close),
                        InstanceMethod("prepareExtract", &PluginWrap::PrepareExtract),
                        InstanceMethod("extract", &PluginWrap::Extract), InstanceMethod("logs", &PluginWrap::Logs),
                        InstanceMethod("tableCalls", &PluginWrap::TableCalls),
                        InstanceMethod("destroy", &PluginWrap::Destroy)});
  }

  explicit PluginWrap(const Napi::CallbackInfo &info) : Napi::ObjectWrap<PluginWrap>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) {
      Napi::TypeError::New(env, "NativePlugin(path): path must be a string").ThrowAsJavaScriptException();
      return;
    }
    path_ = info[0].As<Napi::String>().Utf8Value();
    std::string err = Load();
    if (!err.empty()) {
      Unload();
      Napi::Error::New(env, err).ThrowAsJavaScriptException();
    }
  }
  ~PluginWrap() override { Unload(); }

 private:
  template <typename F>
  F Sym(const char *name) {
    return reinterpret_cast<F>(dlsym(lib_, name));
  }
  std::string Who() const { return "plugin '" + (owner_.name.empty() ? path_ : owner_.name) + "'"; }
  static std::string Str(get_str_fn f) { return f ? OneLine(f()) : std::string(); }

  // The checks of libs' plugin loader, in its order: loadable, a plugin, API compatible, symbols.
  std::string Load() {
    lib_ = dlopen(path_.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib_) return "plugin '" + path_ + "': cannot load plugin library: " + OneLine(dlerror());
    auto reqApi = Sym<get_str_fn>("plugin_get_required_api_version");
    if (!reqApi) return "plugin '" + path_ + "': not a Falco plugin (no plugin_get_required_api_version symbol)";
    auto getName = Sym<get_str_fn>("plugin_get_name");
    if (getName) owner_.name = Str(getName);
    requiredApi_ = OneLine(reqApi());
    uint32_t ma = 0, mi = 0, pa = 0;
    if (!ParseVersion(requiredApi_.c_str(), ma, mi, pa))
      return Who() + ": plugin provided an invalid required API version: '" + requiredApi_ + "'";
    const char *why = nullptr;
    if (ma != kApiMajor)
      why = "major versions disagree";
    else if (mi > kApiMinor)
      why = "framework's minor version is < the requested one";
    else if (mi == kApiMinor && pa > kApiPatch)
      why = "framework's patch version is < the requested one";
    if (why)
      return Who() + ": plugin required API version '" + requiredApi_ + "' not compatible with the framework's API version '" +
             kApiVersionStr + "': " + why;
    for (const char *s : {"plugin_get_version", "plugin_get_name", "plugin_get_description", "plugin_get_contact",
                          "plugin_init", "plugin_destroy", "plugin_get_last_error"})
      if (!dlsym(lib_, s)) return Who() + ": required symbol not implemented: '" + s + "'";
    init_ = Sym<init_fn>("plugin_init");
    destroy_ = Sym<destroy_fn>("plugin_destroy");
    lastError_ = Sym<get_last_error_fn>("plugin_get_last_error");
    getInitSchema_ = Sym<get_init_schema_fn>("plugin_get_init_schema");
    getId_ = Sym<get_id_fn>("plugin_get_id");
    getEventSource_ = Sym<get_str_fn>("plugin_get_event_source");
    open_ = Sym<open_fn>("plugin_open");
    close_ = Sym<close_fn>("plugin_close");
    nextBatch_ = Sym<next_batch_fn>("plugin_next_batch");
    listOpenParams_ = Sym<list_open_params_fn>("plugin_list_open_params");
    getFields_ = Sym<get_str_fn>("plugin_get_fields");
    getExtractSources_ = Sym<get_str_fn>("plugin_get_extract_event_sources");
    extractFields_ = Sym<extract_fields_fn>("plugin_extract_fields");
    const bool anySource = getId_ || getEventSource_ || open_ || close_ || nextBatch_;
    sourcing_ = getId_ && getEventSource_ && open_ && close_ && nextBatch_;
    if (anySource && !sourcing_)
      return Who() + ": event sourcing capability partially implemented (needs plugin_get_id, plugin_get_event_source, "
                     "plugin_open, plugin_close, plugin_next_batch)";
    if ((getFields_ != nullptr) != (extractFields_ != nullptr))
      return Who() + ": field extraction capability partially implemented (needs plugin_get_fields and plugin_extract_fields)";
    extraction_ = getFields_ != nullptr;
    parsing_ = dlsym(lib_, "plugin_parse_event") != nullptr;
    async_ = dlsym(lib_, "plugin_get_async_events") != nullptr;
    if (!sourcing_ && !extraction_ && !parsing_ && !async_) return Who() + ": plugin does not implement any capability";
    if (sourcing_) {
      id_ = getId_();
      source_ = Str(getEventSource_);
    }
    return "";
  }

  void Unload() {
    if (state_) {
      Current cur(&owner_);
      for (auto *h : instances_)
        if (h) close_(state_, h);
      if (destroy_) destroy_(state_);
    }
    instances_.clear();
    state_ = nullptr;
    if (lib_) dlclose(lib_);
    lib_ = nullptr;
  }

  bool Check(Napi::Env env, bool needInit = true) {
    if (!lib_) {
      Napi::Error::New(env, Who() + ": already destroyed").ThrowAsJavaScriptException();
      return false;
    }
    if (needInit && !state_) {
      Napi::Error::New(env, Who() + ": not initialized (call init first)").ThrowAsJavaScriptException();
      return false;
    }
    return true;
  }
  std::string PluginError() {
    const char *e = state_ ? lastError_(state_) : nullptr;
    std::string s = OneLine(e);
    return s.empty() ? "no error message from the plugin" : s;
  }
  Napi::Value Fail(Napi::Env env, const std::string &what) {
    Napi::Error::New(env, Who() + ": " + what).ThrowAsJavaScriptException();
    return env.Undefined();
  }

  Napi::Value Info(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!Check(env, false)) return env.Undefined();
    auto o = Napi::Object::New(env);
    o.Set("path", path_);
    o.Set("name", owner_.name);
    o.Set("version", Str(Sym<get_str_fn>("plugin_get_version")));
    o.Set("description", Str(Sym<get_str_fn>("plugin_get_description")));
    o.Set("contact", Str(Sym<get_str_fn>("plugin_get_contact")));
    o.Set("requiredApiVersion", requiredApi_);
    o.Set("frameworkApiVersion", kApiVersionStr);
    auto caps = Napi::Object::New(env);
    caps.Set("sourcing", sourcing_);
    caps.Set("extraction", extraction_);
    caps.Set("parsing", parsing_);
    caps.Set("async", async_);
    o.Set("capabilities", caps);
    if (sourcing_) {
      o.Set("id", id_);
      o.Set("eventSource", source_);
    }
    // JSON documents the TS side parses: fields, extract sources; the schema is opaque text
    if (getFields_) o.Set("fields", getFields_() ? std::string(getFields_()) : std::string());
    if (getExtractSources_ && getExtractSources_()) o.Set("extractEventSources", std::string(getExtractSources_()));
    if (getInitSchema_) {
      int32_t type = 0;
      const char *schema = getInitSchema_(&type);
      if (type == 1 && schema) o.Set("initSchema", std::string(schema));
    }
    return o;
  }

  Napi::Value Init(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!Check(env, false)) return env.Undefined();
    if (state_) return Fail(env, "already initialized");
    std::string config = info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
    init_input in{config.c_str(), &owner_, OwnerLastError, &g_tables, LogFn};
    int32_t rc = FAILURE;
    Current cur(&owner_);
    owner_.lastError.clear();
    plugin_t *s = init_(&in, &rc);
    if (rc != SUCCESS) {
      // a failed init may still return a state, to read the error from; then it must be destroyed
      std::string err = OneLine(s ? lastError_(s) : nullptr);
      if (s) destroy_(s);
      if (err.empty()) err = "no error message from the plugin";
      return Fail(env, "could not initialize plugin: " + err);
    }
    if (!s) return Fail(env, "could not initialize plugin: plugin_init returned no state");
    state_ = s;
    return env.Undefined();
  }

  Napi::Value OpenParams(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!Check(env)) return env.Undefined();
    if (!listOpenParams_) return env.Null();
    int32_t rc = FAILURE;
    Current cur(&owner_);
    const char *s = listOpenParams_(state_, &rc);
    if (rc != SUCCESS) return Fail(env, "could not list open params: " + PluginError());
    return s ? Napi::String::New(env, s) : env.Null();
  }

  Napi::Value Open(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!Check(env)) return env.Undefined();
    if (!sourcing_) return Fail(env, "has no event sourcing capability");
    std::string params = info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
    int32_t rc = FAILURE;
    Current cur(&owner_);
    instance_t *h = open_(state_, params.c_str(), &rc);
    if (rc != SUCCESS || !h) return Fail(env, "could not open event source: " + PluginError());
    instances_.push_back(h);
    return Napi::Number::New(env, static_cast<double>(instances_.size() - 1));
  }

  instance_t *Instance(const Napi::CallbackInfo &info, uint32_t &idx) {
    if (info.Length() < 1 || !info[0].IsNumber()) return nullptr;
    idx = info[0].As<Napi::Number>().Uint32Value();
    return idx < instances_.size() ? instances_[idx] : nullptr;
  }

  // Calls plugin_next_batch until `max` events are collected or it returns anything but success.
  // Events are copied out (the plugin owns them until its next call) as one buffer of scap events;
  // as libscap does, a plugin event's zero plugin ID becomes the plugin's and a ts of -1 becomes now.
  Napi::Value NextBatch(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!Check(env)) return env.Undefined();
    uint32_t idx = 0;
    instance_t *h = Instance(info, idx);
    if (!h) return Fail(env, "nextBatch: no open instance " + std::to_string(idx));
    uint32_t max = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().Uint32Value() : 1;
    if (max == 0) max = 1;
    Current cur(&owner_);
    std::vector<uint8_t> out;
    uint32_t count = 0;
    int32_t rc = SUCCESS;
    std::string error;
    while (count < max && rc == SUCCESS) {
      uint32_t n = 0;
      event **evts = nullptr;
      rc = nextBatch_(state_, h, &n, &evts);
      if (rc == FAILURE) {
        error = "could not read the next events: " + PluginError();
        break;
      }
      if (rc != SUCCESS && rc != TIMEOUT && rc != PLUGIN_EOF) {
        error = "plugin_next_batch returned unknown code " + std::to_string(rc);
        rc = FAILURE;
        break;
      }
      for (uint32_t i = 0; i < n && evts; i++) {
        const event *e = evts[i];
        if (!e || e->len < sizeof(event)) {
          error = "malformed event in batch (length " + std::to_string(e ? e->len : 0) + ")";
          break;
        }
        if (id_ != 0 && (e->type != kPluginEventCode || e->nparams != 2 || e->len < kPluginEventIdOffset + 4)) {
          error = "malformed plugin event produced by the plugin (type " + std::to_string(e->type) + ", " +
                  std::to_string(e->nparams) + " params): a plugin with an id must produce plugin events (322)";
          break;
        }
        size_t at = out.size();
        out.resize(at + e->len);
        std::memcpy(out.data() + at, e, e->len);
        auto *copy = reinterpret_cast<event *>(out.data() + at);
        if (copy->ts == UINT64_MAX) copy->ts = NowNs();
        if (id_ != 0) {
          uint32_t pid;
          std::memcpy(&pid, out.data() + at + kPluginEventIdOffset, 4);
          if (pid == 0) std::memcpy(out.data() + at + kPluginEventIdOffset, &id_, 4);
        }
        count++;
      }
      if (!error.empty()) {
        rc = FAILURE;
        break;
      }
    }
    auto o = Napi::Object::New(env);
    o.Set("rc", rc);
    o.Set("count", count);
    o.Set("data", Napi::Buffer<uint8_t>::Copy(env, out.data(), out.size()));
    if (!error.empty()) o.Set("error", Who() + ": " + error);
    return o;
  }

  Napi::Value Close(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!Check(env)) return env.Undefined();
    uint32_t idx = 0;
    instance_t *h = Instance(info, idx);
    if (!h) return Fail(env, "close: no open instance " + std::to_string(idx));
    Current cur(&owner_);
    close_(state_, h);
    instances_[idx] = nullptr;
    return env.Undefined();
  }

  Napi::Value PrepareExtract(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!Check(env, false)) return env.Undefined();
    if (!extraction_) return Fail(env, "has no field extraction capability");
    if (info.Length() < 1 || !info[0].IsArray()) return Fail(env, "prepareExtract: expected an array of requests");
    auto reqs = info[0].As<Napi::Array>();
    auto set = std::make_unique<ExtractSet>();
    const uint32_t n = reqs.Length();
    set->names.resize(n);
    set->argKeys.resize(n);
    set->fields.resize(n);
    std::vector<bool> hasKey(n);
    for (uint32_t i = 0; i < n; i++) {
      Napi::Value v = reqs.Get(i);
      if (!v.IsArray() || v.As<Napi::Array>().Length() < 7)
        return Fail(env, "prepareExtract: request " + std::to_string(i) + " is not [id, name, ftype, flist, argKey, argIndex, argPresent]");
      auto r = v.As<Napi::Array>();
      auto &f = set->fields[i];
      std::memset(&f, 0, sizeof f);
      f.field_id = r.Get(0u).ToNumber().Uint32Value();
      set->names[i] = r.Get(1u).ToString().Utf8Value();
      f.ftype = r.Get(2u).ToNumber().Uint32Value();
      f.flist = r.Get(3u).ToBoolean() ? 1 : 0;
      Napi::Value key = r.Get(4u);
      hasKey[i] = key.IsString();
      if (hasKey[i]) set->argKeys[i] = key.As<Napi::String>().Utf8Value();
      f.arg_index = static_cast<uint64_t>(r.Get(5u).ToNumber().Int64Value());
      f.arg_present = r.Get(6u).ToBoolean() ? 1 : 0;
    }
    // the strings are in place now: point the requests at them
    for (uint32_t i = 0; i < n; i++) {
      set->fields[i].field = set->names[i].c_str();
      set->fields[i].arg_key = hasKey[i] ? set->argKeys[i].c_str() : nullptr;
    }
    sets_.push_back(std::move(set));
    return Napi::Number::New(env, static_cast<double>(sets_.size() - 1));
  }

  static Napi::Value U64(Napi::Env env, uint64_t v) {
    if (v <= 9007199254740991ull) return Napi::Number::New(env, static_cast<double>(v));
    return Napi::BigInt::New(env, v);
  }
  static Napi::Value One(Napi::Env env, const extract_field &f, uint64_t i) {
    switch (f.ftype) {
      case FT_STRING:
        return Napi::String::New(env, f.res.str[i] ? f.res.str[i] : "");
      case FT_BOOL:
        return Napi::Boolean::New(env, f.res.boolean[i] != 0);
      case FT_IPADDR:
      case FT_IPNET:
        return Napi::Buffer<uint8_t>::Copy(env, static_cast<const uint8_t *>(f.res.buf[i].ptr), f.res.buf[i].len);
      default:  // FT_UINT64, FT_RELTIME, FT_ABSTIME
        return U64(env, f.res.u64[i]);
    }
  }

  // Values: one per request, undefined when the plugin set none (res_len 0), an array for lists.
  Napi::Value Extract(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!Check(env)) return env.Undefined();
    if (info.Length() < 5 || !info[0].IsNumber() || !info[1].IsBuffer() || !info[2].IsNumber() || !info[3].IsNumber())
      return Fail(env, "extract(set, buffer, offset, evtnum, source): bad arguments");
    const uint32_t si = info[0].As<Napi::Number>().Uint32Value();
    if (si >= sets_.size()) return Fail(env, "extract: no prepared request set " + std::to_string(si));
    auto buf = info[1].As<Napi::Buffer<uint8_t>>();
    const double offD = info[2].As<Napi::Number>().DoubleValue();
    if (offD < 0 || offD + sizeof(event) > buf.Length()) return Fail(env, "extract: event offset outside the buffer");
    const size_t off = static_cast<size_t>(offD);
    const auto *e = reinterpret_cast<const event *>(buf.Data() + off);
    if (e->len < sizeof(event) || off + e->len > buf.Length())
      return Fail(env, "extract: event at offset " + std::to_string(off) + " is truncated (length " + std::to_string(e->len) + ")");
    std::string source = info[4].IsString() ? info[4].As<Napi::String>().Utf8Value() : source_;
    auto &set = *sets_[si];
    for (auto &f : set.fields) {
      f.res.u64 = nullptr;
      f.res_len = 0;
    }
    event_input ein{e, static_cast<uint64_t>(info[3].As<Napi::Number>().Int64Value()), source.c_str()};
    field_extract_input in{};
    in.owner = &owner_;
    in.get_owner_last_error = OwnerLastError;
    in.num_fields = static_cast<uint32_t>(set.fields.size());
    in.fields = set.fields.data();
    in.table_reader = g_reader;
    in.table_reader_ext = &g_readerExt;
    in.value_offsets = nullptr;
    Current cur(&owner_);
    if (extractFields_(state_, &ein, &in) != SUCCESS) return Fail(env, "could not extract fields: " + PluginError());
    auto out = Napi::Array::New(env, set.fields.size());
    for (uint32_t i = 0; i < set.fields.size(); i++) {
      const auto &f = set.fields[i];
      if (f.res_len == 0 || !f.res.u64) {
        out.Set(i, env.Undefined());
      } else if (f.flist) {
        auto list = Napi::Array::New(env, f.res_len);
        for (uint64_t j = 0; j < f.res_len; j++) list.Set(static_cast<uint32_t>(j), One(env, f, j));
        out.Set(i, list);
      } else {
        out.Set(i, One(env, f, 0));
      }
    }
    return out;
  }

  Napi::Value Logs(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    auto out = Napi::Array::New(env, owner_.logs.size());
    for (uint32_t i = 0; i < owner_.logs.size(); i++) {
      const auto &l = owner_.logs[i];
      auto e = Napi::Array::New(env, 3);
      e.Set(0u, l.sev);
      e.Set(1u, l.hasComponent ? Napi::Value(Napi::String::New(env, l.component)) : env.Null());
      e.Set(2u, l.msg);
      out.Set(i, e);
    }
    owner_.logs.clear();
    return out;
  }

  Napi::Value TableCalls(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    auto out = Napi::Array::New(env, owner_.tableCalls.size());
    for (uint32_t i = 0; i < owner_.tableCalls.size(); i++) out.Set(i, owner_.tableCalls[i]);
    return out;
  }

  Napi::Value Destroy(const Napi::CallbackInfo &info) {
    Unload();
    return info.Env().Undefined();
  }

  std::string path_, requiredApi_, source_;
  void *lib_ = nullptr;
  plugin_t *state_ = nullptr;
  Owner owner_;
  uint32_t id_ = 0;
  bool sourcing_ = false, extraction_ = false, parsing_ = false, async_ = false;
  init_fn init_ = nullptr;
  destroy_fn destroy_ = nullptr;
  get_last_error_fn lastError_ = nullptr;
  get_init_schema_fn getInitSchema_ = nullptr;
  get_id_fn getId_ = nullptr;
  get_str_fn getEventSource_ = nullptr, getFields_ = nullptr, getExtractSources_ = nullptr;
  open_fn open_ = nullptr;
  close_fn close_ = nullptr;
  next_batch_fn nextBatch_ = nullptr;
  list_open_params_fn listOpenParams_ = nullptr;
  extract_fields_fn extractFields_ = nullptr;
  std::vector<instance_t *> instances_;
  std::vector<std::unique_ptr<ExtractSet>> sets_;
};

}  // namespace

void RegisterPluginLoader(Napi::Env env, Napi::Object exports) {
  exports.Set("NativePlugin", PluginWrap::Define(env));
  exports.Set("pluginApiVersion", kApiVersionStr);
}

}  // namespace ftp
