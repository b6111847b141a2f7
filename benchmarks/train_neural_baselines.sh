#!/bin/sh
# Trains one StyleGAN / DCGAN / PSGAN variant on a preset's 256² render, for
# benchmarks/neural_baselines.py (RESULTS.md, "Neural: DCGAN and PSGAN baselines").
#
#   sh benchmarks/train_neural_baselines.sh PRESET NAME [texgen train stylegan options]
#
# e.g.  sh benchmarks/train_neural_baselines.sh red_bricks stylegan
#       sh benchmarks/train_neural_baselines.sh red_bricks dcgan --arch dcgan
#       sh benchmarks/train_neural_baselines.sh red_bricks periodic4 --periodic 4
#       MINUTES=15 sh benchmarks/train_neural_baselines.sh red_bricks stylegan --resume
#
# (the last continues a variant to 15 minutes in all, the budget: --minutes counts
# the resumed time, and the renders are the same seeds' again)
#
# The exemplar is the preset's basecolor at seed 3 (seed 7 is the held render the benchmark
# scores against), written to baselines/PRESET/{train,held}; the model goes to
# baselines/PRESET/NAME. Every variant gets the same budget: MINUTES (default 9) of training
# time, default model sizes, crops and batch, on one PyTorch thread (THREADS; the machine
# is shared, and two threads contending with other work ran 3x slower); the step count
# reached is in model.json.
set -e
preset=$1
name=$2
shift 2
root=baselines/$preset
texgen render "presets/$preset.toml" --size 256 --seed 3 --outputs basecolor -o "$root/train"
texgen render "presets/$preset.toml" --size 256 --seed 7 --outputs basecolor -o "$root/held"
OMP_NUM_THREADS=${THREADS:-1} texgen train stylegan "$root/train/${preset}_basecolor.png" -o "$root/$name" --steps 20000 \
    --minutes "${MINUTES:-9}" --sample-every 500 --checkpoint-every 500 "$@"
