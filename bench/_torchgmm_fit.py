"""TorchGMM (the maintained fork of PyCave) fitting the benchmark's data, in ``bench/.venv``.

    bench/.venv/bin/python -m bench._torchgmm_fit DATA_DIR COVARIANCE_TYPE ITERATIONS TOL

reads ``train.npy``, ``test.npy`` and ``init_means.npy`` (float32) from DATA_DIR and prints one
JSON object: seconds, train and held-out mean log-likelihood.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch


def main() -> None:
    data, covariance_type, iterations, tol = (
        Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    )
    from torchgmm.bayes import GaussianMixture

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    logging.getLogger("lightning").setLevel(logging.ERROR)
    logging.getLogger("pytorch_lightning").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    train = torch.from_numpy(np.load(data / "train.npy"))
    test = torch.from_numpy(np.load(data / "test.npy"))
    init_means = torch.from_numpy(np.load(data / "init_means.npy"))
    model = GaussianMixture(
        init_means.shape[0], covariance_type=covariance_type, init_means=init_means,
        convergence_tolerance=tol,
        trainer_params={"max_epochs": iterations, "accelerator": "cpu", "devices": 1,
                        "enable_progress_bar": False, "logger": False},
    )
    started = time.perf_counter()
    model.fit(train)
    seconds = time.perf_counter() - started
    # score_samples gives the negative log-likelihood per example
    train_ll = -float(model.score_samples(train).mean())
    test_ll = -float(model.score_samples(test).mean())
    print(json.dumps({"seconds": seconds, "train_log_likelihood": train_ll,
                      "test_log_likelihood": test_ll}))


if __name__ == "__main__":
    main()
