#!/usr/bin/env bash
# Train the shipped MNIST models with the project's own commands. MNIST is not part of the
# project: pass the path of an mnist.npz (x_train, y_train, x_test, y_test as uint8, as Keras
# ships it) or of a folder with the IDX files as published (train-images-idx3-ubyte.gz, ...).
#   scripts/train_mnist.sh /path/to/mnist.npz
# Each VAE stage checkpoints every 10 epochs and resumes from its checkpoint when started again.
# Torch uses one thread: on a 2-core machine shared with other work, two threads ran ~20x slower.
set -euo pipefail
cd "$(dirname "$0")/.."
MNIST=${1:?path to mnist.npz or an MNIST IDX folder}
GENSERVE=${GENSERVE:-.venv/bin/genserve}
SCRATCH=artifacts/weights
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}

publish_latest() {  # copy the latest version in scratch folder $1 to weights/mnist-vae/<next>
  .venv/bin/python - "$1" <<'PY'
import sys
from pathlib import Path
from models import load_model
from models.storage import list_versions, publish_model
scratch = Path(sys.argv[1])
model = load_model(scratch / str(list_versions(scratch)[-1]))
print("published mnist-vae version", publish_model(model, "weights", "mnist-vae"))
PY
}

# mnist-vae version 1: 300 epochs of the ELBO, then a 10-component latent GMM prior, scored.
$GENSERVE train vae --dataset "$MNIST" --binarize dynamic --likelihood bernoulli \
  --hidden 200,200 --latent-dim 50 --batch-size 100 --epochs 300 --learning-rate 1e-3 \
  --lr-schedule cosine --eval-k 1000 \
  --checkpoint-dir artifacts/mnist-vae-ckpt --checkpoint-every 10 --out "$SCRATCH/mnist-vae-elbo"
$GENSERVE fit-prior "$SCRATCH/mnist-vae-elbo" --dataset "$MNIST" --components 10 \
  --score-with weights/_scorers/mnist-classifier
publish_latest "$SCRATCH/mnist-vae-elbo"

# mnist-vae version 2: version 1 trained 550 epochs more under the IWAE bound with k = 5, then
# 20 with k = 50; then the latent prior refitted and scored.
$GENSERVE train vae --dataset "$MNIST" --binarize dynamic --init-from weights/mnist-vae/1 \
  --objective iwae --train-k 5 --batch-size 100 --epochs 550 --learning-rate 5e-4 \
  --lr-schedule cosine --eval-k 1000 \
  --checkpoint-dir artifacts/mnist-vae-iwae-ckpt --checkpoint-every 10 --out "$SCRATCH/mnist-vae"
$GENSERVE train vae --dataset "$MNIST" --binarize dynamic --init-from "$SCRATCH/mnist-vae" \
  --objective iwae --train-k 50 --batch-size 100 --epochs 20 --learning-rate 2e-4 \
  --lr-schedule cosine --eval-k 1000 \
  --checkpoint-dir artifacts/mnist-vae-k50-ckpt --checkpoint-every 2 \
  --out "$SCRATCH/mnist-vae-k50"
$GENSERVE fit-prior "$SCRATCH/mnist-vae-k50" --dataset "$MNIST" --components 10 \
  --score-with weights/_scorers/mnist-classifier
publish_latest "$SCRATCH/mnist-vae-k50"

$GENSERVE train gmm --dataset "$MNIST" --binarize static --components 10 --covariance full \
  --n-init 1 --max-iter 25 --param dtype=float32 --param reg_covar=1e-3 --param tol=0.5 \
  --out weights/mnist-gmm

# mnist-cvae: a conditional VAE (the label into both networks), MLP 794-512-256-16: 50 epochs of
# the ELBO without KL warm-up (with it, the networks learnt the class into z first and the
# decoder then ignored the label), then 40 more from there at half the learning rate; scored as
# a generative classifier by bench/conditional.py (--write-cards puts the figures in its card).
$GENSERVE train cvae --dataset "$MNIST" --binarize dynamic --likelihood bernoulli \
  --hidden 512,256 --latent-dim 16 --batch-size 100 --epochs 50 --learning-rate 1e-3 \
  --lr-schedule cosine --kl-warmup-steps 0 --eval-k 100 \
  --checkpoint-dir artifacts/mnist-cvae-ckpt --checkpoint-every 2 --out "$SCRATCH/mnist-cvae-50"
$GENSERVE train cvae --dataset "$MNIST" --binarize dynamic --init-from "$SCRATCH/mnist-cvae-50" \
  --batch-size 100 --epochs 40 --learning-rate 5e-4 --lr-schedule cosine --kl-warmup-steps 0 \
  --eval-k 100 --checkpoint-dir artifacts/mnist-cvae-2-ckpt --checkpoint-every 2 \
  --out weights/mnist-cvae
.venv/bin/python bench/conditional.py --mnist "$MNIST" --k 10 --write-cards
