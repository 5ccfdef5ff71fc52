// syslog(3) bindings of the addon (syslog.cc).
#pragma once
#include <napi.h>

namespace ft {
Napi::Value SyslogOpen(const Napi::CallbackInfo &info);
Napi::Value SyslogSend(const Napi::CallbackInfo &info);
}  // namespace ft
