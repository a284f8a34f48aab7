# shellcheck shell=bash disable=SC2034  # the variables are for the scripts that source it
# Sourced by every benchmark script (from the repository root): where results go, which
# Python runs the anchors, and the load average around each side-by-side pair.
#
# A pair is one comparison (forkline and its anchor, run back to back). Before it the
# 1-minute load average may settle to at most the core count (our own previous pair's tail
# decays; BENCH_SETTLE seconds at most, 0 in quick runs); /proc/loadavg is recorded before
# and after it, and benchlib.py flags it `loaded` when another load shared the machine.

# The anchors run on Debian's python3, the one scripts/setup installs, never a python3 that
# PATH happens to find first (pyenv builds differ by 1.4x on procs.py).
bench_python=${BENCH_PYTHON:-/usr/bin/python3}
[[ -x $bench_python ]] || { echo "bench: $bench_python missing (scripts/setup installs python3)" >&2; exit 2; }
bench_date=${BENCH_DATE:-$(date +%Y-%m-%d)}
bench_results=${BENCH_RESULTS:-bench/results}
bench_settle=${BENCH_SETTLE:-60}
# procs.py & co and py_queue_tput.py: the shared anchors beside the checkout, or BENCH_ANCHORS.
bench_anchors=${BENCH_ANCHORS:-../shared/anchors}
bench_pairs=""  # the JSON-lines file of this script's pairs: bench_pairs_file sets it

# bench_quick: quick runs publish nothing (build/bench-quick) and do not wait for the load.
bench_quick() {
    bench_results=${BENCH_RESULTS:-build/bench-quick}
    bench_settle=${BENCH_SETTLE:-0}
}

# bench_pairs_file DIR: records this script's pairs in DIR/pairs.jsonl.
bench_pairs_file() {
    bench_pairs=$1/pairs.jsonl
    : >"$bench_pairs"
}

bench_load1() { cut -d' ' -f1 /proc/loadavg; }

# pair_begin NAME BUSY: BUSY is how many processes the pair itself keeps running at once
# (procs.py 4: 4), which its own "after" load may reach.
pair_begin() {
    pair_name=$1 pair_busy=$2
    local waited=0
    while ((waited < bench_settle)) && awk -v l="$(bench_load1)" -v c="$(nproc)" 'BEGIN { exit !(l > c) }'; do
        ((waited == 0)) && printf '\r\033[K%s: waiting up to %ss for the load (%s) to fall to %s\n' \
            "$pair_name" "$bench_settle" "$(bench_load1)" "$(nproc)" >&2
        sleep 5
        waited=$((waited + 5))
    done
    pair_before=$(cut -d' ' -f1-3 /proc/loadavg)
}

pair_end() {
    local after
    after=$(cut -d' ' -f1-3 /proc/loadavg)
    printf '{"name": "%s", "busy": %d, "cores": %d, "load_before": [%s], "load_after": [%s]}\n' \
        "$pair_name" "$pair_busy" "$(nproc)" "${pair_before// /, }" "${after// /, }" >>"$bench_pairs"
}
