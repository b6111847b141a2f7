#!/bin/sh
# Trains the shipped clean <-> rusted metal CycleGAN (plugins/texgen_neural/models/rust):
# set A is rusted_metal with no rust, set B fully rusted, each rendered at seeds 0-7 at 256²
# (held-out seeds for benchmarks/neural_translate.py start at 1000). Bounded: 12 minutes.
set -e
texgen train cyclegan --a "rusted_metal:rust_amount=0" --b "rusted_metal:rust_amount=1" \
    -o plugins/texgen_neural/models/rust --renders 8 --render-size 256 \
    --steps 4000 --minutes 12 --threads 1 "$@"
