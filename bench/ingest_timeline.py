"""Where the wall time of one ``sohoa ingest`` batch goes: a timeline and the idle cores.

    PYTHONPATH=$PWD .venv/bin/python bench/ingest_timeline.py \
        [--evalset-dir bench/out/evalset] [--split test] [--round 1] [--rounds 4] \
        [--runs 1] [--workers 2] [--json PATH]

Runs ``sohoa ingest DIR --json`` (the entry point ``cli.entry.main``, as the console
script does) on one round of the speed bench's files (``bench/ocr_bench.py`` splits the
set's files, in id order, into ``--rounds`` rounds), fresh data folder each run, and
reports:

- a timeline from the moment the command is started: the command's imports, the
  workers' server (start, end of its preload), the batch's checks, the signer, each
  admission, each page and document per worker process, commits, pool shutdown, exit
  (trace points in ``bench/timeline_probe.py``, patched into the modules as they load:
  sohoa's code is not changed);
- the CPU seconds of every process of the command (``/proc``, sampled every 20 ms), and
  the **idle core-seconds**: for each sample, the cores (``--workers``) times its length
  less the CPU all the command's processes used in it, summed — before the first page
  starts, while pages run, and after the last page ends.

Run it on a quiet machine for wall times; on a loaded one the CPU seconds still hold,
the idle figures then include time lost to other programs.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


# ---------------------------------------------------------------- the traced command


def _child(folder: str) -> int:
    """Runs in the traced process: patch the trace points in as modules load, then run
    the entry point as ``sohoa ingest FOLDER --json``."""
    import timeline_probe as probe

    probe.mark("child start")
    _install_hooks(probe)
    sys.argv = ["sohoa", "ingest", folder, "--json"]
    import ingest.lifeline
    from cli import entry

    probe.mark("cli.entry imported")
    entry.PRELOAD = ["timeline_probe", *entry.PRELOAD, "timeline_probe_ready"]
    ingest.lifeline.start_forkserver = probe.traced(
        "start_forkserver", ingest.lifeline.start_forkserver)
    entry.load_command_line = probe.traced(
        "import command line", entry.load_command_line)
    import atexit

    atexit.register(probe.mark, "exit")
    with open(os.devnull, "w") as sink:
        sys.stdout = sink
        return entry.main()


def _patch(module: Any, probe: Any) -> None:
    name = module.__name__
    if name == "ingest.batch":
        module.run_page = probe.run_page
        module.compose = probe.compose
        module.warm = probe.warm
        module.run_batch = probe.traced("run_batch", module.run_batch)
        module.check_for_ingest = probe.traced("preflight", module.check_for_ingest)
        module.commit_once = probe.traced("commit", module.commit_once)
        module.WorkerPool.__init__ = probe.traced("pool make", module.WorkerPool.__init__)
        module.WorkerPool.shutdown = probe.traced("pool shutdown", module.WorkerPool.shutdown)
        submit = module._Workers.submit

        def traced_submit(self: Any, fn: Any, *args: Any) -> Any:
            what = getattr(fn, "func", fn)
            probe.mark(f"submit {getattr(what, '__name__', '?')}")
            return submit(self, fn, *args)

        module._Workers.submit = traced_submit
        done = module.Scheduler._done

        def traced_done(self: Any, received: Any, outcome: Any) -> Any:
            probe.mark(f"document done {received.source.filename}")
            return done(self, received, outcome)

        module.Scheduler._done = traced_done
    elif name == "application.runtime":
        module.Runtime.signer = probe.traced("signer", module.Runtime.signer)
    elif name == "ingest.admission":
        module.Admission.admit = probe.traced("admit", module.Admission.admit)
    probe.mark(f"loaded {name}")


WATCHED = ("ingest.batch", "application.runtime", "ingest.admission", "cli.main",
           "signing.signer", "extract", "fontTools")


def _install_hooks(probe: Any) -> None:
    """A finder that patches ``WATCHED`` modules right after they execute."""
    import importlib.abc
    import importlib.machinery

    class Hook(importlib.abc.MetaPathFinder):
        def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
            if name not in WATCHED:
                return None
            for finder in sys.meta_path:
                if finder is self:
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None and spec.loader is not None:
                    loader = spec.loader
                    run = loader.exec_module

                    def exec_module(module: Any, run: Any = run) -> None:
                        probe.mark(f"loading {module.__name__}")
                        run(module)
                        _patch(module, probe)

                    loader.exec_module = exec_module  # type: ignore[method-assign]
                    return spec
            return None

    sys.meta_path.insert(0, Hook())


# ---------------------------------------------------------------- the sampler


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(p) for p in handle.read().split()]
    except OSError:
        pass
    return found


def _stat(pid: int) -> tuple[str, int, float] | None:
    """(command, parent, CPU seconds) of a process, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            raw = handle.read()
    except OSError:
        return None
    head, tail = raw.rsplit(")", 1)
    fields = tail.split()
    return head.split("(", 1)[1], int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def sample(root: int, proc: subprocess.Popen[bytes], every: float = 0.02
           ) -> list[tuple[float, dict[int, tuple[str, int, float]]]]:
    samples = []
    seen: dict[int, tuple[str, int, float]] = {}
    while True:
        now = time.time()
        tree, todo = {}, [root]
        while todo:
            pid = todo.pop()
            got = _stat(pid)
            if got is not None:
                tree[pid] = got
                todo += _children(pid)
        # A process that ended between samples keeps its last CPU figure.
        seen.update(tree)
        samples.append((now, dict(seen)))
        if proc.poll() is not None:
            return samples
        time.sleep(every)


# ---------------------------------------------------------------- the report


def test_round(evalset: Path, split: str, rounds: int, number: int) -> list[Path]:
    rows = [json.loads(line) for line in (evalset / "truth.jsonl").read_text().splitlines()
            if line.strip()]
    docs = sorted((r for r in rows if split == "all" or r["split"] == split),
                  key=lambda r: r["id"])
    size = -(-len(docs) // max(1, rounds))
    chosen = docs[(number - 1) * size: number * size]
    return [evalset / r["file"] for r in chosen]


def run_once(files: list[Path], workers: int, root: Path = ROOT) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="timeline-") as scratch:
        folder, data = Path(scratch) / "in", Path(scratch) / "data"
        folder.mkdir()
        data.mkdir()
        for path in files:
            (folder / path.name).symlink_to(path.resolve())
        trace = Path(scratch) / "trace.txt"
        env = {**os.environ, "SOHOA_DATA": str(data), "SOHOA_WORKERS": str(workers),
               "OMP_THREAD_LIMIT": "1", "SOHOA_TIMELINE": str(trace),
               "PYTHONPATH": os.pathsep.join([str(root), str(BENCH)])}
        started = time.time()
        proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--child",
                                 str(folder)], env=env)
        samples = sample(proc.pid, proc)
        ended = time.time()
        events = []
        for line in trace.read_text().splitlines():
            when, pid, cpu, label = line.split(" ", 3)
            events.append((float(when) - started, int(pid), float(cpu), label))
    return {"code": proc.returncode, "wall": ended - started, "started": started,
            "events": sorted(events), "samples": samples, "main": proc.pid}


def _roles(run: dict[str, Any]) -> dict[int, str]:
    main = run["main"]
    names = {main: "main"}
    for _, pid, _, label in run["events"]:
        if label == "import timeline_probe" and pid != main:
            names[pid] = "server"
    for _, pid, _, _ in run["events"]:
        if pid not in names:
            names[pid] = f"worker{sum(1 for n in names.values() if n.startswith('worker')) + 1}"
    return names


def _jobs(run: dict[str, Any]) -> dict[int, list[tuple[float, float, float]]]:
    """Per worker: (start, end, CPU s) of each job (page or document) it ran."""
    open_: dict[int, tuple[float, float]] = {}
    jobs: dict[int, list[tuple[float, float, float]]] = {}
    for when, pid, cpu, label in run["events"]:
        if label.startswith(("page start", "compose start")):
            open_[pid] = (when, cpu)
        elif label.startswith(("page end", "compose end")) and pid in open_:
            began, cpu0 = open_.pop(pid)
            jobs.setdefault(pid, []).append((began, when, cpu - cpu0))
    return jobs


def analyse(run: dict[str, Any], cores: int) -> dict[str, Any]:
    events, samples, started = run["events"], run["samples"], run["started"]
    main = run["main"]
    names = _roles(run)
    pages = [e for e in events if e[3].startswith("page ")]
    first_page = min((e[0] for e in pages if e[3].startswith("page start")), default=0.0)
    last_page = max((e[0] for e in pages if e[3].startswith("page end")), default=0.0)
    phases = {"before first page": (0.0, first_page), "pages": (first_page, last_page),
              "after last page": (last_page, run["wall"])}
    idle = dict.fromkeys(phases, 0.0)
    previous_t = started
    previous: dict[int, tuple[str, int, float]] = {}
    for when, tree in samples:
        used = sum(cpu for _, _, cpu in tree.values()) - sum(
            cpu for _, _, cpu in previous.values())
        span = when - previous_t
        lost = max(0.0, cores * span - used)
        middle = (previous_t + when) / 2 - started
        for phase, (lo, hi) in phases.items():
            if lo <= middle < hi:
                idle[phase] += lost
        previous_t, previous = when, tree
    final = samples[-1][1]
    server_pid = next((pid for pid, name in names.items() if name == "server"), None)
    roles: dict[str, float] = {}
    for pid, (command, parent, cpu) in final.items():
        role = ("main" if pid == main else "workers' server" if pid == server_pid
                else "workers" if parent == server_pid else f"other ({command})")
        roles[role] = roles.get(role, 0.0) + cpu

    def first(label: str, who: int | None = None) -> tuple[float, float]:
        return next(((t, c) for t, pid, c, lab in events
                     if lab == label and (who is None or pid == who)), (0.0, 0.0))

    submitted, main_cpu_submit = first("submit run_page", main)
    ready, server_cpu_ready = first("server preload end", server_pid)
    jobs = _jobs(run)
    ends = {pid: max(e for _, e, _ in spans) for pid, spans in jobs.items()}
    last_end = max(ends.values(), default=0.0)
    # The pool's slots idle from the first page to the last job's end: gaps between a
    # worker's jobs (waiting for main to hand it work) and its wait at the tail.
    gaps = sum(
        sum(max(0.0, b[0] - a[1]) for a, b in itertools.pairwise(sorted(spans)))
        for spans in jobs.values())
    tail = sum(last_end - end for end in ends.values())
    commits = [(t, c, lab) for t, pid, c, lab in events if pid == main
               and lab in ("commit start", "commit end")]
    commit_cpu = sum(b[1] - a[1] for a, b in zip(commits[::2], commits[1::2], strict=False))
    _, exit_cpu = first("exit", main)
    return {"wall": run["wall"], "first page submitted": submitted,
            "main CPU at first submit": main_cpu_submit,
            "server ready": ready, "server CPU at ready": server_cpu_ready,
            "first page started": first_page, "last page ended": last_page,
            "last job ended": last_end, "main CPU at exit": exit_cpu,
            "main CPU in commits": commit_cpu,
            "page CPU": sum(c for spans in jobs.values() for _, _, c in spans),
            "worker gaps (s)": gaps, "tail idle (s)": tail,
            "after last job (s)": run["wall"] - last_end,
            "idle core-seconds": idle, "cpu": roles, "cpu total": sum(roles.values()),
            "pages": _pages(run)}


def _pages(run: dict[str, Any]) -> list[dict[str, Any]]:
    """Each page as it ran: its label (work folder, page, size), start, CPU seconds."""
    started: dict[int, tuple[float, float, str]] = {}
    pages = []
    for when, pid, cpu, label in run["events"]:
        if label.startswith("page start "):
            started[pid] = (when, cpu, label.removeprefix("page start "))
        elif label.startswith("page end ") and pid in started:
            began, cpu0, name = started.pop(pid)
            pages.append({"page": name, "start": round(began, 3), "cpu": round(cpu - cpu0, 3)})
    return pages


def describe(run: dict[str, Any], summary: dict[str, Any]) -> str:
    names = _roles(run)
    lines = []
    for when, pid, cpu, label in run["events"]:
        if label.startswith(("loading ",)) or label.startswith("submit compose"):
            continue
        lines.append(f"{when:7.3f}  {names[pid]:8} cpu {cpu:6.3f}  {label}")
    lines.append(f"{run['wall']:7.3f}  (command exited, code {run['code']})")
    idle = summary["idle core-seconds"]
    lines.append(
        "idle core-seconds (sampled): " + ", ".join(f"{k} {v:.2f}" for k, v in idle.items())
        + f"; total {sum(idle.values()):.2f} of {run['wall'] * 2:.1f}")
    lines.append("CPU s: " + ", ".join(f"{k} {v:.2f}" for k, v in summary["cpu"].items())
                 + f"; total {summary['cpu total']:.2f}")
    for pid, spans in _jobs(run).items():
        spans.sort()
        holes = [f"{a[1]:.2f}-{b[0]:.2f}" for a, b in itertools.pairwise(spans)
                 if b[0] - a[1] > 0.05]
        lines.append(f"{names[pid]}: {len(spans)} jobs, gaps > 50 ms: {' '.join(holes) or '-'}")
    lines.append(" ".join(f"{k}: {v:.3f};" for k, v in summary.items()
                          if isinstance(v, float)))
    return "\n".join(lines)


def model(summaries: list[dict[str, Any]], workers: int) -> dict[str, float]:
    """The pages' own CPU seconds (as measured, whatever the load) scheduled on
    ``workers`` idle cores in two orders: as admitted (the pool's first-in, first-out)
    and longest first by the CPU each page turned out to take — the best any order
    decided before reading could do. Returns, summed over the runs, the modelled wall
    time of the pages and the core-seconds idle at their end (a worker with no page
    left while another reads)."""
    totals: dict[str, float] = {}

    def key(page: dict[str, Any]) -> tuple[int, int]:
        folder, number = page["page"].split()[0].split("#")
        return int(folder), int(number)

    for summary in summaries:
        fifo = [p["cpu"] for p in sorted(summary["pages"], key=key)]
        for name, order in (("as admitted", fifo), ("longest first", sorted(fifo)[::-1])):
            free = [0.0] * workers
            for cpu in order:
                slot = free.index(min(free))
                free[slot] += cpu
            totals[f"{name}: wall"] = totals.get(f"{name}: wall", 0.0) + max(free)
            totals[f"{name}: idle"] = totals.get(f"{name}: idle", 0.0) + sum(
                max(free) - f for f in free)
    return totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--evalset-dir", type=Path, default=ROOT / "bench/out/evalset")
    parser.add_argument("--split", default="test", choices=("dev", "test", "all"))
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--round", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quiet", action="store_true", help="summaries only")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the sohoa checkout whose code runs (default: this one)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--model", type=Path, nargs="+",
                        help="JSON files of earlier runs: model their pages' order (no run)")
    args = parser.parse_args()
    if args.child:
        return _child(args.child)
    if args.model:
        runs = [s for path in args.model for s in json.loads(path.read_text())]
        print(json.dumps(model(runs, args.workers), indent=1))
        return 0
    files = test_round(args.evalset_dir, args.split, args.rounds, args.round)
    import compileall

    for package in sorted(args.root.iterdir()):  # as the speed bench does (``precompile``)
        if (package / "__init__.py").is_file() and package.name not in ("tests", "bench"):
            compileall.compile_dir(package, quiet=1)
    summaries = []
    for number in range(args.runs):
        print(f"run {number + 1}: {len(files)} files, load {os.getloadavg()[0]:.2f}", flush=True)
        run = run_once(files, args.workers, args.root.resolve())
        summary = analyse(run, args.workers)
        summary["load"] = os.getloadavg()[0]
        summaries.append(summary)
        if not args.quiet:
            print(describe(run, summary))
        else:
            print(json.dumps({k: v for k, v in summary.items() if k != "pages"}))
    if args.json:
        args.json.write_text(json.dumps(summaries, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
