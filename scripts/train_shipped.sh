#!/usr/bin/env bash
# Retrain the shipped models with the project's own command. Each run publishes a new version
# under weights/<name>/; delete the old versions first for a clean set.
set -euo pipefail
cd "$(dirname "$0")/.."
GENSERVE=${GENSERVE:-.venv/bin/genserve}
$GENSERVE train vae --dataset digits --out weights/digits-vae --epochs 300 --batch-size 64 \
  --latent-dim 8 --hidden 256,128 --likelihood gaussian --learning-rate 1e-3 --eval-k 1000 --quiet
$GENSERVE train gmm --dataset digits --out weights/digits-gmm --components 10 --covariance full \
  --n-init 3 --max-iter 300 --param reg_covar=1e-3 --quiet
$GENSERVE train gmm --dataset pinwheel --out weights/pinwheel-gmm --components 10 \
  --covariance full --n-init 5 --max-iter 300 --quiet
$GENSERVE train cgmm --dataset digits --out weights/digits-cgmm --components 2 --covariance full \
  --n-init 3 --max-iter 300 --param reg_covar=1e-3 --quiet
