#!/bin/sh
# Builds the real Falco plugins the plugin tests load (issue 19) from ../shared/plugins with g++:
# dummy_c, the C++ SDK's examples and Falco's regression test plugins (their old API header
# stands in as fixtures/falco-test-plugins), into build/plugins/ (gitignored). Skips a plugin whose .so
# is newer than its source. Without ../shared (a checkout outside the workspace) it says so and
# exits 0: only the plugin tests need these libraries.
set -eu
cd "$(dirname "$0")/.."
SHARED=../shared/plugins
SDK="$SHARED/plugin-sdk-cpp"
OUT=build/plugins
if [ ! -d "$SDK/include" ]; then
  echo "falco-ts: $SDK not found: Falco plugins for the tests not built" >&2
  exit 0
fi
mkdir -p "$OUT"
build() { # name source
  so="$OUT/lib$1.so"
  if [ ! -f "$so" ] || [ "$2" -nt "$so" ]; then
    g++ -std=c++17 -O2 -fPIC -shared -I"$SDK/include" -Ifixtures/falco-test-plugins -o "$so.tmp" "$2"
    mv "$so.tmp" "$so"
  fi
}
build dummy_c "$SHARED/dummy_c/dummy.cpp"
for src in "$SDK"/examples/*/plugin.cpp; do
  build "$(basename "$(dirname "$src")")" "$src"
done
# (as Falco's test/plugins/CMakeLists.txt names them)
FT=../shared/falco-tests/files/test/plugins
if [ -d "$FT" ]; then
  build test_source "$FT/test_source.cpp"
  build test_extract_p1 "$FT/test_extract.cpp"
  build test_extract_p2 "$FT/test_extract.cpp"
  build test_incompat_api "$FT/incompat_api.cpp"
fi
