"""Serving before and after a change: genserve at another commit against this checkout, in one run.

``bench/serving.py`` compares genserve with its peers; this compares genserve with itself across
commits, so a refactor can show that it costs no speed (issue 15: "serving speed does not
regress"). The other commit is checked out into a temporary git worktree and served by this
checkout's venv (the same dependencies), both servers from the same weights; cells alternate
between the two servers (the other paused, as in ``bench/serving.py``) round after round, and
the table gives medians over rounds and the after/before ratio, the figure to read on a noisy
machine.

    .venv/bin/python -m bench.serving_ab --before ed6b08a --rounds 3
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


def _server(name: str, checkout: Path, weights: Path, data: Path) -> Server:
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
        "GENSERVE_LOG_LEVEL": "WARNING", "PYTHONPATH": str(checkout),
    }
    return Server(name, [sys.executable, "-c", code], env, port)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the commit to compare with (a git ref)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=3.0, help="measured seconds per cell")
    parser.add_argument("--warmup", type=float, default=1.0)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        before_tree = root / "before"
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(before_tree),
                        args.before], cwd=REPO_ROOT, check=True)
        try:
            results = _measure(root, before_tree, args)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(before_tree)],
                           cwd=REPO_ROOT, check=False)
    _report(results, args)


def _measure(root: Path, before_tree: Path, args: argparse.Namespace) -> dict[Any, list[Any]]:
    weights = root / "weights"
    make_mnist_vae(weights)
    bodies = _bodies(root, np.random.default_rng(0).random((ROWS, 784)).astype(np.float32))
    servers = [
        _server("before", before_tree, weights, root / "data-before"),
        _server("after", REPO_ROOT, weights, root / "data-after"),
    ]
    results: dict[Any, list[Any]] = {}
    try:
        for server in servers:
            _start(server, root)
        for server in servers:
            _wait_ready(server)
        for round_ in range(args.rounds):
            for operation, concurrency in CELLS:
                for server in servers if round_ % 2 == 0 else servers[::-1]:
                    _pause_all_but(servers, server)
                    out = _load(f"http://127.0.0.1:{server.port}/{operation}",
                                bodies[(operation, "array")], concurrency, args.duration,
                                args.warmup)
                    results.setdefault((operation, concurrency, server.name), []).append(out)
                    print(f"[{round_ + 1}/{args.rounds}] {operation} c={concurrency} "
                          f"{server.name}: {out['rps']:.0f} req/s", flush=True)
    finally:
        for server in servers:
            _stop(server)
    return results


def _report(results: dict[Any, list[Any]], args: argparse.Namespace) -> None:
    def median(key: tuple[str, int, str], figure: str) -> float:
        return statistics.median(run[figure] for run in results[key])

    rows = []
    for operation, concurrency in CELLS:
        before = median((operation, concurrency, "before"), "rps")
        after = median((operation, concurrency, "after"), "rps")
        rows.append([
            f"/{operation}", concurrency, f"{before:,.0f}", f"{after:,.0f}",
            f"{after / before:.2f}",
            f"{median((operation, concurrency, 'before'), 'p50_ms'):.2f}",
            f"{median((operation, concurrency, 'after'), 'p50_ms'):.2f}",
        ])
    print(f"\nbefore = {args.before}, after = this checkout; medians of {args.rounds} rounds; "
          f"load average {[round(x, 2) for x in os.getloadavg()]}")
    print(format_table(
        ["operation", "c", "before req/s", "after req/s", "after / before", "before p50 ms",
         "after p50 ms"], rows,
    ))
    write_results("serving_ab", {"before": args.before, "rounds": args.rounds, "rows": rows})


if __name__ == "__main__":
    main()
