#!/usr/bin/env bash
# Installs forkline into a staging root and builds examples/embed_pool.cpp (with its
# worker) using nothing but `pkg-config --cflags --libs forkline`, then runs it.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source=$2
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

meson install -C "$build" --destdir "$stage" --quiet >/dev/null
pc=$(find "$stage" -name forkline.pc | head -n 1)
[[ -n $pc ]] || { echo "no forkline.pc installed" >&2; exit 1; }
for header in forkline.hpp ordered.hpp pool.hpp serve.hpp pipeline.hpp error.hpp codec.hpp json_codec.hpp requires_cxx20.hpp; do
    [[ -f $(find "$stage" -path "*/include/forkline/$header" | head -n 1) ]] || { echo "missing header $header" >&2; exit 1; }
done
for worker in prime_worker command_worker echo_worker ports_worker files_worker; do
    [[ -x $(find "$stage" -path "*/libexec/forkline/$worker" | head -n 1) ]] || { echo "missing worker $worker" >&2; exit 1; }
done
[[ -n $(find "$stage" -name 'libforkline.a') ]] || { echo "no static library installed" >&2; exit 1; }

export PKG_CONFIG_SYSROOT_DIR=$stage PKG_CONFIG_PATH=$(dirname "$pc")
flags=$(pkg-config --cflags --libs forkline)
# The standard is the program's choice: no -std in Cflags, and the headers refuse C++17 with
# one clear line.
[[ " $(pkg-config --cflags forkline) " != *" -std="* ]] || { echo "forkline.pc sets -std" >&2; exit 1; }
if c++ -std=c++17 -fsyntax-only "$source/examples/square_worker.cpp" $flags 2>"$stage/cxx17"; then
    echo "compiled below C++20" >&2; exit 1
fi
grep -q 'forkline needs C++20 or later' "$stage/cxx17" || { cat "$stage/cxx17" >&2; exit 1; }
c++ -std=c++2b -fsyntax-only "$source/examples/embed_pool.cpp" $flags
c++ -std=c++20 -o "$stage/square_worker" "$source/examples/square_worker.cpp" $flags
c++ -std=c++20 -o "$stage/embed_pool" "$source/examples/embed_pool.cpp" $flags
libdir=$(dirname "$(find "$stage" -name 'libforkline.so' | head -n 1)")
LD_LIBRARY_PATH=$libdir "$stage/embed_pool" 100 | tee "$stage/out"
grep -q '^sum of squares 1..100 = 338350 ' "$stage/out"
