// The part of Falco's plugin C ABI (API 3.x) that the loader uses, declared from the layout of
// falcosecurity/libs userspace/plugin/plugin_api.h + plugin_types.h (API 3.12.0). Our own
// declarations, not the header: the project builds without ../shared, and only these structs
// cross the boundary. Layouts must match the ABI exactly (field order and widths; the event
// header is packed); the static_asserts in plugin_loader.cc pin the sizes.
#pragma once
#include <cstdint>

namespace ftp {

// The framework's API version: what this loader implements (the init/extract input layouts of 3.12).
constexpr uint32_t kApiMajor = 3, kApiMinor = 12, kApiPatch = 0;
constexpr const char *kApiVersionStr = "3.12.0";

using ss_bool = uint32_t;
enum rc : int32_t { SUCCESS = 0, FAILURE = 1, TIMEOUT = -1, PLUGIN_EOF = 2, NOT_SUPPORTED = 3 };

// field types (ss_plugin_field_type)
enum ftype : uint32_t { FT_UINT64 = 8, FT_STRING = 9, FT_RELTIME = 20, FT_ABSTIME = 21, FT_BOOL = 25, FT_IPADDR = 40, FT_IPNET = 41 };

#pragma pack(push, 1)
struct event {  // scap's ppm_evt_hdr
  uint64_t ts;
  uint64_t tid;
  uint32_t len;
  uint16_t type;
  uint32_t nparams;
};
#pragma pack(pop)

struct event_input {
  const event *evt;
  uint64_t evtnum;
  const char *evtsrc;
};

struct byte_buffer {
  uint32_t len;
  const void *ptr;
};

struct extract_value_offsets {
  uint32_t *start;
  uint32_t *length;
};

struct extract_field {
  union {
    const char **str;
    uint64_t *u64;
    uint32_t *u32;
    ss_bool *boolean;
    byte_buffer *buf;
  } res;
  uint64_t res_len;
  uint32_t field_id;
  const char *field;
  const char *arg_key;
  uint64_t arg_index;
  ss_bool arg_present;
  uint32_t ftype;
  ss_bool flist;
};

// opaque handles
using owner_t = void;
using plugin_t = void;
using instance_t = void;
using table_t = void;
using table_entry_t = void;
using table_field_t = void;

// state types used by the table API signatures (ss_plugin_state_type): an int-sized enum
using state_type = int32_t;

union state_data {
  int64_t s64;
  uint64_t u64;
  const char *str;
  ss_bool b;
  table_t *table;
};

struct table_info {
  const char *name;
  state_type key_type;
};

struct table_fieldinfo {
  const char *name;
  state_type field_type;
  ss_bool read_only;
};

// table vtables (the deprecated inline ones have the same leading members as the _ext ones)
struct table_fields_vtable {
  const table_fieldinfo *(*list_table_fields)(table_t *, uint32_t *);
  table_field_t *(*get_table_field)(table_t *, const char *, state_type);
  table_field_t *(*add_table_field)(table_t *, const char *, state_type);
};
using table_fields_vtable_ext = table_fields_vtable;

using table_iterator_func_t = ss_bool (*)(void *, table_entry_t *);
struct table_reader_vtable {
  const char *(*get_table_name)(table_t *);
  uint64_t (*get_table_size)(table_t *);
  table_entry_t *(*get_table_entry)(table_t *, const state_data *);
  int32_t (*read_entry_field)(table_t *, table_entry_t *, const table_field_t *, state_data *);
};
struct table_reader_vtable_ext {
  const char *(*get_table_name)(table_t *);
  uint64_t (*get_table_size)(table_t *);
  table_entry_t *(*get_table_entry)(table_t *, const state_data *);
  int32_t (*read_entry_field)(table_t *, table_entry_t *, const table_field_t *, state_data *);
  void (*release_table_entry)(table_t *, table_entry_t *);
  ss_bool (*iterate_entries)(table_t *, table_iterator_func_t, void *);
};
struct table_writer_vtable {
  int32_t (*clear_table)(table_t *);
  int32_t (*erase_table_entry)(table_t *, const state_data *);
  table_entry_t *(*create_table_entry)(table_t *);
  void (*destroy_table_entry)(table_t *, table_entry_t *);
  table_entry_t *(*add_table_entry)(table_t *, const state_data *, table_entry_t *);
  int32_t (*write_entry_field)(table_t *, table_entry_t *, const table_field_t *, const state_data *);
};
using table_writer_vtable_ext = table_writer_vtable;

struct table_input;  // plugin-owned tables (add_table): never dereferenced here

struct init_tables_input {
  table_info *(*list_tables)(owner_t *, uint32_t *);
  table_t *(*get_table)(owner_t *, const char *, state_type);
  int32_t (*add_table)(owner_t *, const table_input *);
  table_fields_vtable fields;
  table_fields_vtable_ext *fields_ext;
  table_reader_vtable_ext *reader_ext;
  table_writer_vtable_ext *writer_ext;
};

using log_fn_t = void (*)(owner_t *, const char *component, const char *msg, int32_t severity);

struct init_input {
  const char *config;
  owner_t *owner;
  const char *(*get_owner_last_error)(owner_t *);
  const init_tables_input *tables;
  log_fn_t log_fn;
};

struct field_extract_input {
  owner_t *owner;
  const char *(*get_owner_last_error)(owner_t *);
  uint32_t num_fields;
  extract_field *fields;
  table_reader_vtable table_reader;
  table_reader_vtable_ext *table_reader_ext;
  extract_value_offsets *value_offsets;
};

// the plugin_* symbols the loader calls
using get_str_fn = const char *(*)();
using get_init_schema_fn = const char *(*)(int32_t *schema_type);
using init_fn = plugin_t *(*)(const init_input *, int32_t *rc);
using destroy_fn = void (*)(plugin_t *);
using get_last_error_fn = const char *(*)(plugin_t *);
using get_id_fn = uint32_t (*)();
using open_fn = instance_t *(*)(plugin_t *, const char *params, int32_t *rc);
using close_fn = void (*)(plugin_t *, instance_t *);
using next_batch_fn = int32_t (*)(plugin_t *, instance_t *, uint32_t *nevts, event ***evts);
using list_open_params_fn = const char *(*)(plugin_t *, int32_t *rc);
using extract_fields_fn = int32_t (*)(plugin_t *, const event_input *, const field_extract_input *);

// scap's plugin event: PPME_PLUGINEVENT_E, params plugin ID (u32) and event_data (bytes), 4-byte lengths
constexpr uint16_t kPluginEventCode = 322;
constexpr uint32_t kPluginEventIdOffset = 26 + 2 * 4;

}  // namespace ftp
