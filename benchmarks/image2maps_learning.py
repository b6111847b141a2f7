"""How much of its own training data does the image2maps network learn?

    python benchmarks/image2maps_learning.py --held-out terrain [--steps 1000] [--lr 0.003]
    python benchmarks/image2maps_learning.py --memorize 8 [--steps 1000] [--lr 0.003]
        [--height-weight 0.5] [--roughness-weight 0.5] [--adversarial-weight 0.01]
        [--channels 8,16,32,64]

The dataset is ``benchmarks/image2maps.py``'s (``--seed``, default 1: the seed where the
leave-one-out bar fails; cached under .texgen-cache). ``--held-out P`` trains a model
(``TrainOptions`` and ``NetConfig`` defaults but the options given and the seed) without the samples
involving P, as a leave-one-out fold does, and prints the mean normal angle (degrees) of the
learned and the classical normals on P's unmixed samples (held out), on the training
presets' unmixed samples and on the unmixed procedural ones (both in-sample), with the
learned direction on the classical tilt and the reverse (``combine_tilt_direction``).
``--memorize N`` trains on N unmixed preset samples only (evenly spaced over the presets)
and prints the same per sample, with the flat normal: can the network fit what it was
shown? CPU, one thread: deterministic.
"""

from __future__ import annotations

import argparse
import tempfile

import numpy as np
import torch

from texgen.engine import Engine
from texgen_neural.image2maps.config import DataSettings, NetConfig, TrainOptions
from texgen_neural.image2maps.data import PROCEDURAL, default_presets, load_dataset
from texgen_neural.image2maps.metrics import evaluate
from texgen_neural.image2maps.predict import load_unet
from texgen_neural.image2maps.train import train


def trained(dataset, config: NetConfig, options: TrainOptions):
    """The U-Net trained on ``dataset`` with ``config`` and ``options`` (in a temporary
    folder)."""
    with tempfile.TemporaryDirectory() as folder:
        train(dataset, folder, config=config, options=options)
        return load_unet(folder)


def line(what: str, unet, dataset) -> str:
    metrics = evaluate(unet, dataset)
    return (f"{what} ({len(dataset)} samples): learned {metrics['normal_error_learned']:.3f}, "
            f"classical {metrics['normal_error_classical']:.3f}, learned direction "
            f"{metrics['normal_error_learned_direction']:.3f}, learned tilt "
            f"{metrics['normal_error_learned_tilt']:.3f}, flat "
            f"{metrics['normal_error_flat']:.3f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    task = parser.add_mutually_exclusive_group(required=True)
    task.add_argument("--held-out", metavar="PRESET", help="train without this preset")
    task.add_argument("--memorize", type=int, metavar="N", help="train on N samples only")
    parser.add_argument("--steps", type=int, default=1000, help="training steps")
    parser.add_argument("--lr", type=float, default=TrainOptions.lr, help="Adam's rate")
    parser.add_argument("--seed", type=int, default=1, help="data and training seed")
    parser.add_argument("--height-weight", type=float, default=TrainOptions.height_weight)
    parser.add_argument("--roughness-weight", type=float,
                        default=TrainOptions.roughness_weight)
    parser.add_argument("--adversarial-weight", type=float,
                        default=TrainOptions.adversarial_weight)
    parser.add_argument("--channels", default=",".join(map(str, NetConfig.channels)),
                        help="U-Net channels per level, fine to coarse")
    args = parser.parse_args()
    torch.set_num_threads(1)
    engine = Engine()
    names = default_presets(engine)
    dataset = load_dataset(DataSettings(presets=tuple(names), seed=args.seed), engine=engine,
                           cache=".texgen-cache")
    options = TrainOptions(steps=args.steps, lr=args.lr, seed=args.seed, checkpoint_every=0,
                           height_weight=args.height_weight,
                           roughness_weight=args.roughness_weight,
                           adversarial_weight=args.adversarial_weight)
    config = NetConfig(channels=tuple(int(c) for c in args.channels.split(",")))
    unmixed = dataset.materials[:, 1] == -1
    print(f"steps {args.steps}, lr {args.lr}, seed {args.seed}, {options}, {config}")
    if args.held_out:
        training = dataset.subset(~dataset.involving(args.held_out))
        unet = trained(training, config, options)
        index = names.index(args.held_out)
        kept = training.materials[:, 1] == -1
        for what, subset in (
                (f"held out {args.held_out}", dataset.subset(unmixed & (dataset.materials[:, 0]
                                                                        == index))),
                ("in-sample presets", training.subset(kept & (training.materials[:, 0] >= 0))),
                ("in-sample procedural",
                 training.subset(kept & (training.materials[:, 0] == PROCEDURAL)))):
            print(line(what, unet, subset))
        return
    candidates = np.flatnonzero(unmixed & (dataset.materials[:, 0] >= 0))
    picked = dataset.subset(candidates[np.linspace(0, len(candidates) - 1,
                                                   args.memorize).astype(int)])
    unet = trained(picked, config, options)
    print(line("all", unet, picked))
    for i in range(len(picked)):
        print(line(names[picked.materials[i, 0]], unet, picked.subset(np.array([i]))))


if __name__ == "__main__":
    main()
