#!/usr/bin/env bash
# Builds tests/consumer, a meson project that gets forkline with dependency('forkline')
# and finds it as a subproject (subprojects/forkline -> this source tree), then runs it.
# Usage: subproject_test.sh SOURCE_DIR
set -euo pipefail
source=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$source"/tests/consumer/* "$work"/
mkdir "$work/subprojects"
ln -s "$source" "$work/subprojects/forkline"
meson setup "$work/build" "$work" -Dforkline:tests=false -Dforkline:tools=false >/dev/null
meson compile -C "$work/build" >/dev/null
"$work/build/consumer" | tee "$work/out"
grep -q '^consumer: hello from a forkline pipeline$' "$work/out"
