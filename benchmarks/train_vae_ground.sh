#!/bin/sh
# Trains the shipped material VAE (plugins/texgen_neural/models/vae_ground) on 32 stacks of
# each of four ground presets (rock, grass_ground, desert_dunes, cobblestone) rendered at
# 128² at random parameter values and seeds (data seed 0; held-out stacks for
# benchmarks/neural_vae.py use data seeds from 1000). Issue #25 gives each network 15
# minutes of this 2-core CPU: both threads, --minutes 14.5 (rendering the stacks is not
# counted), at most 1700 steps. Against the blur of the earlier model (16 latent channels,
# (16, 32, 64, 64) channels, KL weight 0.02, no consistency term): 64 latent values per 8x8
# cell, wider levels, half the KL weight, and the height/normal consistency term. Pass
# -o DIR after the script's arguments to train elsewhere (the last -o wins).
set -e
texgen train vae rock grass_ground desert_dunes cobblestone \
    -o plugins/texgen_neural/models/vae_ground --samples 32 --render-size 128 \
    --latent-channels 64 --channels 24,48,96,96 --kl-weight 0.01 --consistency-weight 1 \
    --steps 1700 --minutes 14.5 --threads 2 "$@"
