"""``texgen train gmm``: fit a GMM patch model to an exemplar and write the model file."""

from __future__ import annotations

import time
from pathlib import Path

import click

from texgen.errors import InputError, RenderError
from texgen.io import check_writable, read_image
from texgen_stats._common import as_color
from texgen_stats.model import DEFAULTS, MAX_LEVELS, fit_patch_model, save_model


@click.command("gmm")
@click.argument("exemplar", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Model file to write (.npz).")
@click.option("--patch", type=click.IntRange(5, 9), default=DEFAULTS["patch_size"],
              show_default=True, help="Patch side in pixels.")
@click.option("--components", type=click.IntRange(1, 64), default=DEFAULTS["components"],
              show_default=True, help="Gaussians in the mixture.")
@click.option("--iterations", type=click.IntRange(1, 1000), default=DEFAULTS["iterations"],
              show_default=True, help="Most EM iterations.")
@click.option("--samples", type=click.IntRange(100, 1_000_000), default=DEFAULTS["samples"],
              show_default=True, help="Random patches of the exemplar to fit.")
@click.option("--reg", type=click.FloatRange(1e-8, 1.0), default=DEFAULTS["reg"],
              show_default=True,
              help="Added to every covariance's diagonal (pixel values are 0..1).")
@click.option("--tol", type=click.FloatRange(0.0), default=DEFAULTS["tol"], show_default=True,
              help="Stop when an iteration gains less log-likelihood per patch (nats).")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=DEFAULTS["seed"],
              show_default=True, help="Seeds the patch draw and the k-means++ initialisation.")
@click.option("--levels", type=click.IntRange(1, MAX_LEVELS), default=DEFAULTS["levels"],
              show_default=True,
              help="Scales: more than 1 also models the exemplar averaged down 2x2 (per "
                   "extra level), and samples each patch conditioned on that coarser texture.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on stderr.")
def train_gmm(exemplar, output, patch, components, iterations, samples, reg, tol, seed,
              levels, quiet):
    """Fit a Gaussian mixture to random color patches of EXEMPLAR (k-means++, then EM) and
    write it for the stats.gmm node. Progress, one line per iteration, and a summary go to
    stderr."""
    color = as_color(read_image(exemplar))
    try:  # the model's folder is made, as the other trainers make theirs, before the fit
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{output}: cannot make its folder: {exc.strerror or exc}") from None
    check_writable(output)

    def progress(level: int, iteration: int, log_likelihood: float) -> None:
        where = f"level {level}/{levels}: " if levels > 1 else ""
        click.echo(f"train gmm: {where}iteration {iteration}/{iterations}: log-likelihood "
                   f"{log_likelihood:.3f} per patch, {time.perf_counter() - started:.1f}s",
                   err=True)

    started = time.perf_counter()
    try:
        model = fit_patch_model(color, patch_size=patch, components=components,
                                iterations=iterations, samples=samples, reg=reg, tol=tol,
                                seed=seed, levels=levels, exemplar_name=exemplar.name,
                                progress=None if quiet else progress)
    except ValueError as exc:
        raise InputError(f"{exemplar}: {exc}") from None
    try:
        save_model(model, output)
    except OSError as exc:
        raise RenderError(f"{output}: cannot write the model: {exc.strerror or exc}") from None
    if quiet:
        return
    fit = model.metadata["fit"]
    click.echo(f"wrote {output}: {components} components, {patch}x{patch} patches, "
               f"{f'{levels} levels, ' if levels > 1 else ''}"
               f"{fit['iterations']} iterations{' (converged)' if fit['converged'] else ''}, "
               f"log-likelihood {fit['log_likelihood'][-1]:.3f} per patch, "
               f"{time.perf_counter() - started:.1f}s", err=True)
