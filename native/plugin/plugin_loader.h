// Falco plugins (.so, plugin API 3.x) loaded through the addon: exports.NativePlugin
// (contract: src/plugins/native/native-plugin-api.ts).
#pragma once
#include <napi.h>

namespace ftp {
void RegisterPluginLoader(Napi::Env env, Napi::Object exports);
}
