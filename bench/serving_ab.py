"""Serving before and after a change: genserve at another commit, or with other settings, against
this checkout, in one run.

``bench/serving.py`` compares genserve with its peers; this compares genserve with itself across
commits, so a refactor can show that it costs no speed (issue 15: "serving speed does not
regress"), or across settings (``--before-env GENSERVE_BATCH_RUNNERS=1``) or load generators
(``--before-loadgen wrk:1``: wrk with one client thread). The other commit is checked out into a
temporary git worktree and served by this checkout's venv (the same dependencies); without
``--before`` both sides serve this checkout. Both servers serve the same weights; cells alternate
between the two servers (the other paused, as in ``bench/serving.py``) round after round, each
round in the other order, and the table gives medians over rounds and the after/before ratios,
the figures to read on a noisy machine, with the machine's load average.

    .venv/bin/python -m bench.serving_ab --before ed6b08a --rounds 3
    .venv/bin/python -m bench.serving_ab --before-env GENSERVE_BATCH_RUNNERS=1 \\
        --cells sample:8,sample:64 --loadgen wrk --rounds 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from bench._common import REPO_ROOT, format_table, make_mnist_vae, write_results
from bench.serving import (
    Server,
    _bodies,
    _free_port,
    _load,
    _pause_all_but,
    _start,
    _stop,
    _wait_ready,
)

CELLS: tuple[tuple[str, int], ...] = (
    ("sample", 1), ("sample", 8), ("sample", 64), ("reconstruct", 8), ("log-likelihood", 8),
)
ROWS = 8


def _server(name: str, checkout: Path, weights: Path, data: Path,
            settings: dict[str, str]) -> Server:
    """``genserve serve`` with ``checkout``'s code first on the path (asserted at import)."""
    port = _free_port()
    code = (
        f"import sys; sys.path.insert(0, {str(checkout)!r}); import app; "
        f"assert app.__file__.startswith({str(checkout)!r}), app.__file__; "
        f"from app.cli import main; sys.argv = ['genserve', 'serve', '--host', '127.0.0.1', "
        f"'--port', '{port}']; main()"
    )
    env = {
        "GENSERVE_WEIGHTS_DIR": str(weights), "GENSERVE_DATA_DIR": str(data),
        "GENSERVE_DEVICE": "cpu", "GENSERVE_EMBEDDED_WORKER": "false",
        "GENSERVE_LOG_LEVEL": "WARNING", "PYTHONPATH": str(checkout), **settings,
    }
    return Server(name, [sys.executable, "-c", code], env, port)


def _cpu_seconds(server: Server) -> float:
    """CPU time (user + system, all threads) the server's process has used so far: per request
    served, a figure that another tenant's load moves much less than requests per second."""
    assert server.process is not None
    try:
        fields = Path(f"/proc/{server.process.pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:  # not Linux
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _settings(pairs: list[str]) -> dict[str, str]:
    """``KEY=VALUE`` arguments -> an environment."""
    settings = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key:
            raise SystemExit(f"{pair!r}: give settings as KEY=VALUE")
        settings[key] = value
    return settings


def _cells(text: str) -> tuple[tuple[str, int], ...]:
    """``sample:8,sample:64`` -> ((sample, 8), (sample, 64))."""
    cells = []
    for part in text.split(","):
        operation, colon, concurrency = part.strip().partition(":")
        if not colon or not concurrency.isdigit():
            raise SystemExit(f"{part!r}: give cells as OPERATION:CONCURRENCY, e.g. sample:64")
        cells.append((operation, int(concurrency)))
    return tuple(cells)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=None,
                        help="the commit to compare with (a git ref); default this checkout")
    parser.add_argument("--before-env", action="append", default=[], metavar="KEY=VALUE",
                        help="a setting of the 'before' server (repeatable)")
    parser.add_argument("--after-env", action="append", default=[], metavar="KEY=VALUE",
                        help="a setting of the 'after' server (repeatable)")
    parser.add_argument("--loadgen", default="lean",
                        help="lean, httpx, wrk or wrk:THREADS (bench/serving.py's load generators)")
    parser.add_argument("--before-loadgen", default=None, help="the 'before' side's, if another")
    parser.add_argument("--after-loadgen", default=None, help="the 'after' side's, if another")
    parser.add_argument("--cells", type=_cells, default=CELLS,
                        help="OPERATION:CONCURRENCY,... (default: "
                        + ",".join(f"{op}:{c}" for op, c in CELLS) + ")")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=3.0, help="measured seconds per cell")
    parser.add_argument("--warmup", type=float, default=1.0)
    args = parser.parse_args(argv)
    args.before_loadgen = args.before_loadgen or args.loadgen
    args.after_loadgen = args.after_loadgen or args.loadgen
    loads_before = [round(x, 2) for x in os.getloadavg()]

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if args.before is None:
            results = _measure(root, REPO_ROOT, args)
        else:
            before_tree = root / "before"
            subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(before_tree),
                            args.before], cwd=REPO_ROOT, check=True)
            try:
                results = _measure(root, before_tree, args)
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(before_tree)],
                               cwd=REPO_ROOT, check=False)
    _report(results, args, loads_before)


def _measure(root: Path, before_tree: Path, args: argparse.Namespace) -> dict[Any, list[Any]]:
    weights = root / "weights"
    make_mnist_vae(weights)
    bodies = _bodies(root, np.random.default_rng(0).random((ROWS, 784)).astype(np.float32))
    servers = [
        _server("before", before_tree, weights, root / "data-before",
                _settings(args.before_env)),
        _server("after", REPO_ROOT, weights, root / "data-after", _settings(args.after_env)),
    ]
    loadgens = {"before": args.before_loadgen, "after": args.after_loadgen}
    results: dict[Any, list[Any]] = {}
    try:
        for server in servers:
            _start(server, root)
        for server in servers:
            _wait_ready(server)
        for round_ in range(args.rounds):
            for operation, concurrency in args.cells:
                for server in servers if round_ % 2 == 0 else servers[::-1]:
                    _pause_all_but(servers, server)
                    cpu = _cpu_seconds(server)
                    out = _load(f"http://127.0.0.1:{server.port}/{operation}",
                                bodies[(operation, "array")], concurrency, args.duration,
                                args.warmup, loadgen=loadgens[server.name])
                    out["load_average"] = os.getloadavg()[0]
                    # warm-up and measured seconds both cost CPU; at the measured rate
                    served = out["rps"] * (args.duration + args.warmup)
                    out["cpu_ms_per_request"] = (
                        1e3 * (_cpu_seconds(server) - cpu) / served if served else float("nan")
                    )
                    results.setdefault((operation, concurrency, server.name), []).append(out)
                    print(f"[{round_ + 1}/{args.rounds}] {operation} c={concurrency} "
                          f"{server.name}: {out['rps']:.0f} req/s, p50 {out['p50_ms']:.1f} "
                          f"p99 {out['p99_ms']:.1f} ms, server CPU "
                          f"{out['cpu_ms_per_request']:.2f} ms/request "
                          f"(load {out['load_average']:.2f})",
                          flush=True)
    finally:
        for server in servers:
            _stop(server)
    return results


def _report(results: dict[Any, list[Any]], args: argparse.Namespace,
            loads_before: list[float]) -> None:
    def median(key: tuple[str, int, str], figure: str) -> float:
        return statistics.median(run[figure] for run in results[key])

    def tail(operation: str, concurrency: int, side: str) -> float:
        """p99 / p50, the median over rounds of each round's ratio."""
        return statistics.median(run["p99_ms"] / run["p50_ms"]
                                 for run in results[(operation, concurrency, side)])

    rows = []
    for operation, concurrency in args.cells:
        before = median((operation, concurrency, "before"), "rps")
        after = median((operation, concurrency, "after"), "rps")
        rows.append([
            f"/{operation}", concurrency, f"{before:,.0f}", f"{after:,.0f}",
            f"{after / before:.2f}",
            f"{median((operation, concurrency, 'before'), 'cpu_ms_per_request'):.3f}",
            f"{median((operation, concurrency, 'after'), 'cpu_ms_per_request'):.3f}",
            f"{median((operation, concurrency, 'before'), 'p50_ms'):.2f}",
            f"{median((operation, concurrency, 'after'), 'p50_ms'):.2f}",
            f"{tail(operation, concurrency, 'before'):.2f}",
            f"{tail(operation, concurrency, 'after'):.2f}",
        ])
    loads = [round(x, 2) for x in os.getloadavg()]

    def side(name: str, ref: str) -> str:
        loadgen = getattr(args, f"{name}_loadgen")
        return " ".join([ref, *getattr(args, f"{name}_env"), f"({loadgen})"])

    sides = {"before": side("before", args.before or "this checkout"),
             "after": side("after", "this checkout")}
    print(f"\nbefore = {sides['before']}; after = {sides['after']}; medians of {args.rounds} "
          f"rounds of {args.duration:g} s; load average {loads_before} at the start, {loads} "
          "at the end")
    print(format_table(
        ["operation", "c", "before req/s", "after req/s", "after / before",
         "before CPU ms / request", "after CPU ms / request", "before p50 ms",
         "after p50 ms", "before p99 / p50", "after p99 / p50"], rows,
    ))
    write_results("serving_ab", {
        "before": sides["before"], "after": sides["after"], "rounds": args.rounds,
        "duration_s": args.duration, "load_average": {"start": loads_before, "end": loads},
        "rows": rows,
        "runs": {f"{op} c={c} {side}": runs for (op, c, side), runs in results.items()},
    })


if __name__ == "__main__":
    main()
