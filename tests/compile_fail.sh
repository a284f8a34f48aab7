#!/usr/bin/env bash
# A compile-fail test: SOURCE must compile with -DCONTROL (the right way, so the failure below
# is not a typo) and must not compile without it, with the message named on its
# `// expect: TEXT` line among the errors.
# Usage: compile_fail.sh SOURCE INCLUDE_DIR COMPILER [COMPILER ARGS…]
set -euo pipefail
source=$1 include=$2
shift 2
expect=$(sed -n 's|^// expect: ||p' "$source")
[[ -n $expect ]] || { echo "$source has no '// expect:' line" >&2; exit 1; }
flags=(-std=c++20 -fsyntax-only -Wall -Wextra -Werror -I"$include" -x c++)

if ! "$@" "${flags[@]}" -DCONTROL "$source"; then
    echo "the control variant of $source does not compile" >&2
    exit 1
fi
if errors=$("$@" "${flags[@]}" "$source" 2>&1); then
    echo "$source compiled: it must not" >&2
    exit 1
fi
if ! grep -qF -- "$expect" <<<"$errors"; then
    printf '%s\n' "$errors" >&2
    echo "$source failed to compile, but without '$expect'" >&2
    exit 1
fi
