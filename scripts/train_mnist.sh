#!/usr/bin/env bash
# Train the shipped MNIST models with the project's own commands. MNIST is not part of the
# project: pass the path of an mnist.npz (x_train, y_train, x_test, y_test as uint8, as Keras
# ships it) or of IDX files converted with `genserve` uploads. Usage:
#   scripts/train_mnist.sh /path/to/mnist.npz
# The VAE run checkpoints every 10 epochs into artifacts/mnist-vae-ckpt and resumes from there
# when started again (the shipped one was stopped and resumed twice).
set -euo pipefail
cd "$(dirname "$0")/.."
MNIST=${1:?path to mnist.npz}
GENSERVE=${GENSERVE:-.venv/bin/genserve}
$GENSERVE train vae --dataset "$MNIST" --binarize dynamic --likelihood bernoulli \
  --hidden 200,200 --latent-dim 50 --batch-size 100 --epochs 300 --learning-rate 1e-3 \
  --lr-schedule cosine --eval-k 1000 --latent-prior 10 \
  --checkpoint-dir artifacts/mnist-vae-ckpt --checkpoint-every 10 --out weights/mnist-vae
$GENSERVE fit-prior weights/mnist-vae --dataset "$MNIST" --components 10 \
  --score-with weights/_scorers/mnist-classifier
$GENSERVE train gmm --dataset "$MNIST" --binarize static --components 10 --covariance full \
  --n-init 1 --max-iter 25 --param dtype=float32 --param reg_covar=1e-3 --param tol=0.5 \
  --out weights/mnist-gmm
