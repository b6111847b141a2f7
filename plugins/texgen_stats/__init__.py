"""texgen_stats: statistical texture synthesis from an exemplar image.

Registers ``stats.random_phase`` (random-phase noise from the exemplar's periodic
component), ``stats.gmm`` (conditional sampling of a Gaussian mixture of patches) and
``stats.gmm_palette`` (recolor a gray texture with the exemplar's colors), ``stats.markov``
(image quilting of the exemplar's own patches on a torus, with a uv map), and the
``texgen train gmm`` command that fits the patch model. Implementations are named by
"module:function" strings, so listing nodes imports nothing heavy. See docs/stats.md.
"""

from texgen.hookspecs import hookimpl
from texgen.nodes import NodeSpec, Param, Port

_EXEMPLAR = Param(
    "exemplar", "path", None,
    "Exemplar image (PNG, JPEG or TIFF; gray, color or rgba, alpha ignored), relative to the "
    "preset file's folder. Its pixels are the output's pixels: a 256x256 exemplar gives "
    "features of the same size in pixels at any render size. It must be set.")

RANDOM_PHASE = NodeSpec(
    "random_phase", "texgen_stats.random_phase:random_phase",
    "Random-phase texture: an exemplar's Fourier amplitude with a random phase; tiles exactly.",
    outputs=(Port("out", "color", "Gaussian-like texture with the exemplar's mean, color "
                  "covariance and power spectrum, clipped to [0, 1]."),),
    params=(_EXEMPLAR,))

GMM = NodeSpec(
    "gmm", "texgen_stats.synthesis:gmm",
    "Texture sampled patch by patch from a GMM patch model ('texgen train gmm').",
    inputs=(Port("guide", "gray", "Optional: steers each block's component, dark values "
                 "towards the model's darker patches, bright towards its brighter ones.",
                 optional=True),),
    outputs=(Port("out", "color", "Synthesised color texture in [0, 1]."),),
    params=(
        Param("model", "path", None,
              "Model file (.npz) written by 'texgen train gmm' (single- or multi-scale), "
              "relative to the preset file's folder. It must be set."),
        Param("overlap", "int", 0,
              "Pixels each patch shares with the patches above and to its left, which its new "
              "pixels are conditioned on; must be below the model's patch size. More overlap "
              "continues neighbours more faithfully and is slower (patch - overlap new pixels "
              "per side). 0 picks (patch - 1) // 2, i.e. 2 for 5x5 patches, 3 for 7x7.",
              min=0, max=8),
        Param("tolerance", "float", 0.0001,
              "How loosely each patch's new pixels continue its overlap: a variance (pixel "
              "values 0..1) added to the overlap's pixels when conditioning on them. 0 "
              "continues them exactly, which lets odd overlaps grow into streaks and speckle; "
              "more gives calmer, less structured output and visible joints between patches.",
              min=0.0, max=0.1),
        Param("weight_tolerance", "float", 0.003,
              "The same variance when choosing which of the model's components continues "
              "each patch (by how likely it makes the overlap). More chooses leniently, so "
              "a few odd overlap pixels do not switch the pattern; 0 picks the component "
              "that fits the overlap best.",
              min=0.0, max=0.1),
        Param("guide_strength", "float", 20.0,
              "How strongly the guide input steers the components: each one's log-weight "
              "loses strength * (its brightness rank among the components, 0..1, minus the "
              "guide's mean over the block) squared. 0 ignores the guide; without a guide it "
              "has no effect.", min=0.0, max=100.0),
    ))

GMM_PALETTE = NodeSpec(
    "gmm_palette", "texgen_stats.palette:gmm_palette",
    "Recolor a gray texture with colors drawn from a GMM of an exemplar's pixel colors.",
    inputs=(Port("input", "gray", "Brightness quantile of the exemplar's colors: 0 darkest, "
                 "0.5 median, 1 brightest (clipped to [0, 1])."),),
    outputs=(Port("out", "color", "The exemplar's colors for the input's values, in [0, 1]."),),
    params=(
        Param("exemplar", "path", None,
              "Image whose colors are used (PNG, JPEG or TIFF; gray, color or rgba, alpha "
              "ignored), relative to the preset file's folder. It must be set."),
        Param("components", "int", 6,
              "Gaussians in the color mixture: more follow a many-colored exemplar more "
              "closely.", min=1, max=32),
        Param("variation", "float", 0.25,
              "0: each gray level gets the exemplar's mean color at that brightness (smooth); "
              "1: a color drawn at random per pixel (the exemplar's color spread, grainy).",
              min=0.0, max=1.0),
    ))


def _check_markov(params):
    if 0 < params["patch"] < 8:
        yield "patch", f"must be 0 (automatic) or 8..128, got {params['patch']}"
    elif params["patch"] and params["overlap"] > params["patch"] // 2:
        yield "overlap", (f"must be at most half the patch ({params['patch'] // 2}), got "
                          f"{params['overlap']}")


MARKOV = NodeSpec(
    "markov", "texgen_stats.markov:markov",
    "Image quilting: the exemplar's own patches joined by minimum-error cuts; tiles exactly.",
    inputs=(Port("guide", "gray", "Optional target guide: where it is bright, patches whose "
                 "exemplar guide is bright are preferred, and so on (guided synthesis).",
                 optional=True),),
    outputs=(
        Port("out", "any", "Exact copies of exemplar pixels, with the exemplar's channels "
             "(gray, color or rgba)."),
        Port("uv", "color", "Where each pixel was copied from: exemplar pixel centres, u in "
             "red, v in green, 0 in blue; filters.remap_image carries aligned map files "
             "(height, roughness, normal) along, filters.remap aligned textures."),
    ),
    params=(
        Param("exemplar", "path", None,
              "Exemplar image (PNG, JPEG or TIFF; gray, color or rgba), relative to the "
              "preset file's folder. Its pixels are the output's pixels, and it must hold "
              "a whole patch. It must be set."),
        Param("patch", "int", 0,
              "Patch side in exemplar pixels, 8..128; 0 picks a little over the exemplar's "
              "repeating unit found by autocorrelation (a tile with its grout; at least 32), "
              "or 24 with a 4-pixel overlap when it has none. Larger keeps bigger structures "
              "whole, smaller mixes the exemplar more finely.", min=0, max=128),
        Param("overlap", "int", 0,
              "Pixels neighbouring patches share, where the cut between them runs; at most "
              "half the patch. 0 picks patch // 4, or 4 with an automatic patch for an "
              "exemplar without a repeating unit.", min=0, max=64),
        Param("tolerance", "float", 0.1,
              "How much worse than the best match a patch may fit its neighbours and still "
              "be picked at random: 0 takes the best, which copies the exemplar in large "
              "pieces; more gives variety and more visible joints.", min=0.0, max=1.0),
        Param("refine", "int", 0,
              "Texture optimisation passes after the quilting: every half-patch is "
              "re-matched to its nearest exemplar patch and each pixel takes the proposal "
              "nearest the patches' average. Touches only pixels along the cuts.",
              min=0, max=4),
        Param("levels", "int", 1,
              "Scales, coarse to fine: with 2 a half-size texture quilted from the exemplar "
              "averaged down lays out the large features (as a patch twice as large would) "
              "and the full-size pass follows it. About twice the time; the exemplar must "
              "hold a patch at every level.", min=1, max=3),
        Param("exemplar_guide", "path", None,
              "Gray image aligned with the exemplar (its size; a color file counts by its "
              "luma), relative to the preset file's folder: the exemplar's side of the "
              "guide, e.g. a mask of its regions. Unset: the exemplar's luma, blurred a "
              "little. No effect without a guide input.", optional=True),
        Param("guide_weight", "float", 1.0,
              "How much the guide counts: each patch's cost gains this times the mean "
              "squared difference between the exemplar guide under it and the guide input "
              "under its place (colors' fit: their mean squared difference). 0 ignores the "
              "guide; no effect without one.", min=0.0, max=100.0),
    ),
    check=_check_markov)


@hookimpl
def register_nodes(register):
    for spec in (RANDOM_PHASE, GMM, GMM_PALETTE, MARKOV):
        register(spec)


@hookimpl
def register_commands(cli):
    from texgen_stats.cli import train_gmm
    from texgen_stats.synth import synth

    cli.commands["train"].add_command(train_gmm)
    cli.add_command(synth)
