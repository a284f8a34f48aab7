"""What every benchmark report records beside its figures (imported by the scripts' report
steps, which run on the anchors' interpreter, scripts/bench/lib.sh's $bench_python)."""
import json
import os
import platform
import statistics
import sys


def interpreter():
    """The Python that ran the anchors: this one (lib.sh runs the reports with it)."""
    return {"path": sys.executable, "resolves_to": os.path.realpath(sys.executable),
            "version": platform.python_version(), "build": " ".join(platform.python_build())}


def machine():
    model = platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), model)
    except OSError:
        pass
    return {"cpu": model, "cores": os.cpu_count(), "kernel": platform.release()}


def loaded(pair):
    """Another load shared the machine: the 1-minute load average was above the core count
    before the pair, or above the core count plus the pair's own busy processes after it."""
    return pair["load_before"][0] > pair["cores"] or pair["load_after"][0] > pair["cores"] + pair["busy"]


def pairs(tmp):
    """The pairs lib.sh recorded in TMP/pairs.jsonl, each with its `loaded` flag."""
    path = os.path.join(tmp, "pairs.jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as lines:
        recorded = [json.loads(line) for line in lines if line.strip()]
    for pair in recorded:
        pair["loaded"] = loaded(pair)
    return recorded


def spread(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": len(values)}


def report(tmp, **fields):
    """The common head of a benchmark's JSON: date, machine, interpreter, pairs, loaded."""
    import datetime

    recorded = pairs(tmp)
    head = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "machine": machine(),
            "python": interpreter(), "pairs": recorded, "loaded": any(p["loaded"] for p in recorded)}
    head.update(fields)
    return head


def warn_loaded(report_):
    for pair in report_["pairs"]:
        if pair["loaded"]:
            print(f"LOADED: {pair['name']}: load {pair['load_before'][0]} before, {pair['load_after'][0]} after "
                  f"on {pair['cores']} cores (the figure is marked, not comparable)")


def write(report_, out):
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(report_, f, indent=2)
    warn_loaded(report_)
    print(f"results: {out}")
