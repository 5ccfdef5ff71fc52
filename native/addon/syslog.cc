// syslog(3) for the syslog output and Falco's log_syslog (contract: src/util/native-addon.ts):
//   syslogOpen(ident, facility)  openlog(ident, 0, facility): Falco calls no openlog, so glibc
//                                uses the program's name and LOG_USER; under Node the name would
//                                be "node", hence the explicit ident.
//   syslogSend(priority, msg)    syslog(priority, "%s", msg), as Falco's outputs_syslog.cpp and
//                                falco_logger do: glibc frames `<PRI>Mmm dd hh:mm:ss ident: msg`
//                                and sends it to /dev/log (it reconnects by itself).
#include "syslog.h"

#include <syslog.h>

#include <string>

namespace ft {
namespace {
std::string g_ident;  // openlog keeps the pointer: it must outlive every syslog() call
}

Napi::Value SyslogOpen(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsNumber()) {
    Napi::TypeError::New(env, "syslogOpen(ident, facility)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  closelog();
  g_ident = info[0].As<Napi::String>().Utf8Value();
  openlog(g_ident.c_str(), 0, info[1].As<Napi::Number>().Int32Value());
  return env.Undefined();
}

Napi::Value SyslogSend(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsString()) {
    Napi::TypeError::New(env, "syslogSend(priority, message)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string msg = info[1].As<Napi::String>().Utf8Value();
  syslog(info[0].As<Napi::Number>().Int32Value(), "%s", msg.c_str());
  return env.Undefined();
}
}  // namespace ft
