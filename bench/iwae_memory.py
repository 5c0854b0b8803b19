"""Log-likelihood with k = 5,000 importance samples: time and peak memory, by number of inputs.

A 784-400-20 Bernoulli VAE (MNIST-sized, untrained) scores random inputs in [0, 1] with the
importance-weighted bound. Each configuration runs in a fresh process that reports its peak
resident memory (``getrusage`` ``ru_maxrss``: everything torch allocates, which ``tracemalloc``
would not see), its resident memory before scoring (Python, torch and the inputs) and the time.
The work is chunked (``models/vae.py``, about 2^19 floats per block), so the memory scoring adds
stays flat whatever the number of inputs: the last rows use fewer samples to keep the run short,
with chunks of the same shape as at k = 5,000.

Torch threads: ``--threads`` (1 by default, robust on a shared machine; 2 on an idle one).

    .venv/bin/python -m bench.iwae_memory [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from typing import Any

from bench._common import REPO_ROOT, format_table, write_results

CONFIGURATIONS = ((100, 5000), (1000, 5000), (5000, 1000), (20000, 250))
GIB = 1024.0


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def child(inputs: int, k: int, threads: int) -> dict[str, float]:
    import torch

    from models import VAE, DataSpec, VAEHyperparameters

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = VAE(
        VAEHyperparameters(latent_dim=20, hidden_sizes=[400], likelihood="bernoulli"),
        DataSpec(shape=(28, 28), value_range=(0.0, 1.0)),
    ).eval()
    x = torch.rand(inputs, 784, generator=torch.Generator().manual_seed(1))
    with torch.inference_mode():  # warm the kernels up on a few rows
        model.log_likelihood(x[:2], importance_samples=2)
    before = _rss_mib()
    started = time.perf_counter()
    with torch.inference_mode():
        scores = model.log_likelihood(
            x, importance_samples=k, generator=torch.Generator().manual_seed(2)
        )
    seconds = time.perf_counter() - started
    return {"inputs": inputs, "k": k, "seconds": seconds, "rss_before_mib": before,
            "peak_rss_mib": _rss_mib(), "input_mib": x.numel() * 4 / 2**20,
            "mean_log_likelihood": float(scores["log_likelihood"].mean())}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, type=int, metavar=("INPUTS", "K"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child, args.threads)))
        return
    results: list[dict[str, Any]] = []
    for inputs, k in CONFIGURATIONS:
        out = subprocess.run(
            [sys.executable, "-m", "bench.iwae_memory", "--child", str(inputs), str(k),
             "--threads", str(args.threads)],
            cwd=REPO_ROOT, capture_output=True, text=True, check=True,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(result)
        print(f"{inputs} inputs, k={k}: {result['seconds']:.1f} s, "
              f"peak {result['peak_rss_mib']:.0f} MiB", flush=True)
    table = format_table(
        ["inputs", "k", "time, s", "ms / input", "RSS before scoring, MiB", "peak RSS, MiB",
         "added by scoring, MiB", "peak < 1 GiB"],
        [[r["inputs"], r["k"], r["seconds"], 1e3 * r["seconds"] / r["inputs"],
          r["rss_before_mib"], r["peak_rss_mib"], r["peak_rss_mib"] - r["rss_before_mib"],
          "yes" if r["peak_rss_mib"] < GIB else "no"] for r in results],
    )
    print()
    print(table)
    path = write_results("iwae_memory", {
        "command": "python -m bench.iwae_memory " + " ".join(argv or sys.argv[1:]),
        "model": "VAE 784-400-20, Bernoulli decoder, untrained", "threads": args.threads,
        "results": results,
        "table": table,
    })
    print(f"\nwrote {path.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
