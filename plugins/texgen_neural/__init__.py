"""texgen_neural: a StyleGAN texture synthesizer, the learned photo → PBR maps model, a
CycleGAN translating textures between material states and a VAE material space.

Registers the ``neural.stylegan`` node (sample a trained model at any size; tiles exactly),
the ``neural.image_to_material`` node (normal and height of a photo, refined by the
image2maps U-Net), the ``neural.translate`` node (a CycleGAN's translation of a texture),
the ``neural.vae`` node (sample, reconstruct or morph PBR stacks) and the ``texgen train
stylegan`` / ``image2maps`` / ``cyclegan`` / ``vae`` commands. PyTorch is imported only
when a node runs or a model trains: the spec names its implementation by a
"module:function" string, and the commands import their trainers when invoked, so listing
nodes or plugins never imports torch. See docs/neural.md and docs/maps.md.
"""

from texgen.hookspecs import hookimpl
from texgen.nodes import NodeSpec, Param, Port

STYLEGAN = NodeSpec(
    "stylegan", "texgen_neural.nodes:stylegan",
    "Texture sampled from a StyleGAN trained with 'texgen train stylegan'; tiles exactly.",
    inputs=(Port("mix_mask", "gray",
                 "Optional: blends the styles per pixel, 0 the seed's style, 1 the mix "
                 "style (mix_seed's style from mix_layer on, at every level when mix_layer "
                 "is 0).", optional=True),),
    outputs=(Port("out", "color", "Synthesised color texture in [0, 1]."),),
    params=(
        Param("model", "path", None,
              "Model folder (or its generator.safetensors) written by 'texgen train "
              "stylegan', relative to the preset file's folder. It must be set. A DCGAN "
              "model (--arch dcgan) has no styles: it takes only resolution and the seed."),
        Param("resolution", "int", 0,
              "Model pixels per texture width. 0: one per output pixel, so features keep "
              "their size in pixels at any render size; N: the model samples N pixels "
              "across and the result is resized to the output, so the texture looks the "
              "same at every render size (sharp up to N pixels).",
              min=0, max=8192),
        Param("truncation", "float", 1.0,
              "Pulls the style towards the model's mean style: 1 none (most varied), 0 the "
              "mean (most typical).", min=0.0, max=1.0),
        Param("label", "int", 0,
              "Which exemplar a conditional model imitates (0..labels-1); 0 for an "
              "unconditional model.", min=0, max=1023),
        Param("mix_seed", "seed", 0,
              "Seed of the second style used by interpolation, mix_layer and mix_mask."),
        Param("interpolation", "float", 0.0,
              "Latent interpolation: moves the seed's style this far towards mix_seed's "
              "(0 the seed's, 1 mix_seed's; the layout still follows the seed), before "
              "style mixing and the mask apply.",
              min=0.0, max=1.0),
        Param("mix_layer", "int", 0,
              "Style mixing: levels from this one on (1 = all but the coarsest, up to the "
              "model's levels - 1) take mix_seed's style, so higher values change only finer "
              "detail; 0 for no mixing.", min=0, max=16),
    ),
    backends=("cpu", "cuda"))


IMAGE_TO_MATERIAL = NodeSpec(
    "image_to_material", "texgen_neural.image2maps.predict:image_to_material",
    "PBR maps from a color photo: filters.image_to_material's estimate with its normal and "
    "height refined by a learned U-Net (image2maps); tiles when the photo tiles.",
    inputs=(Port("image", "color", "The photo, values as stored in [0, 1]."),),
    outputs=(
        Port("basecolor", "color", "The classical delit photo (filters.image_to_material)."),
        Port("height", "gray", "Learned height, rescaled to [0, 1]."),
        Port("normal", "color", "Learned normal map: 0.5 + 0.5 n, unit length, in the chosen "
             "convention."),
        Port("ao", "gray", "The classical ambient occlusion."),
        Port("roughness", "gray", "Roughness: the classical estimate, or the model's (see "
             "the roughness parameter)."),
    ),
    params=(
        Param("model", "path", "pkg:texgen_neural/models/image2maps",
              "Model folder (or its generator.safetensors) written by 'texgen train "
              "image2maps', relative to the preset file's folder; default: the shipped model."),
        Param("convention", "enum", "opengl", "Normal map green channel: opengl (Y+, up) or "
              "directx (Y-, down).", choices=("opengl", "directx")),
        Param("roughness", "enum", "classical", "Which roughness to output: classical (the "
              "heuristic, default: the shipped model's does not beat it, see docs/maps.md) or "
              "learned.", choices=("classical", "learned")),
    ),
    # above 512² the U-Net runs in tiles and bands (image2maps.model.unet_in_bands), holding
    # per pixel the network's height and normal inputs (16 bytes), level 1's decoder output
    # in float16 (32), the result (20) and a part's upsampled columns (8): 76, less the
    # outputs' 36, which are set aside or not made yet then. A band's and a tile's work add
    # a few hundred MB at any size, which a per-pixel figure cannot say (docs/scale.md). At
    # 512² and below the network runs whole and holds more.
    scratch=40)


TRANSLATE = NodeSpec(
    "translate", "texgen_neural.nodes:translate",
    "A color texture translated to another material state (clean to rusted, ...) by a "
    "CycleGAN trained with 'texgen train cyclegan'; any size, tiles when the input tiles.",
    inputs=(Port("input", "color", "The texture to translate, values in [0, 1]."),),
    outputs=(Port("out", "color", "The translated texture in [0, 1], the input's size."),),
    params=(
        Param("model", "path", None,
              "Model folder (or its generator.safetensors) written by 'texgen train "
              "cyclegan', relative to the preset file's folder. It must be set."),
        Param("direction", "enum", "a_to_b", "Which way to translate: a_to_b (from the "
              "training's --a set to its --b set) or b_to_a.", choices=("a_to_b", "b_to_a")),
        Param("resolution", "int", 0,
              "Model pixels per texture width. 0: one per input pixel (the learned features "
              "keep their size in pixels); N: the input is resampled to N pixels across, "
              "translated and resized back, so the result looks the same at every render "
              "size (sharp up to N pixels). Set N to the training renders' size to keep "
              "their scale.", min=0, max=8192),
    ),
    backends=("cpu", "cuda"))


def _stack_ports(suffix: str, which: str) -> tuple[Port, ...]:
    """The four optional input ports of one stack (``suffix`` "" or "_b")."""
    return tuple(Port(f"{name}{suffix}", kind, f"{which}: its {name} in [0, 1]{extra}.",
                      optional=True)
                 for name, kind, extra in (("basecolor", "color", ""), ("height", "gray", ""),
                                           ("roughness", "gray", ""),
                                           ("normal", "color", " (0.5 + 0.5 n, OpenGL)")))


VAE = NodeSpec(
    "vae", "texgen_neural.nodes:vae",
    "A PBR material from a VAE trained with 'texgen train vae': sampled by seed, an input "
    "stack reconstructed, or two stacks morphed (every map at once); tiles exactly.",
    inputs=(*_stack_ports("", "Stack A (reconstruct, interpolate)"),
            *_stack_ports("_b", "Stack B (interpolate)")),
    outputs=(Port("basecolor", "color", "Decoded basecolor in [0, 1]."),
             Port("height", "gray", "Decoded height in [0, 1]."),
             Port("roughness", "gray", "Decoded roughness in [0, 1]."),
             Port("normal", "color", "Decoded normal map: 0.5 + 0.5 n, unit length, OpenGL.")),
    params=(
        Param("model", "path", "pkg:texgen_neural/models/vae_ground",
              "Model folder (or its generator.safetensors) written by 'texgen train vae', "
              "relative to the preset file's folder; default: the shipped model (trained on "
              "rock, grass_ground, desert_dunes and cobblestone)."),
        Param("mode", "enum", "sample", "sample: a new material from the prior, by the node's "
              "seed; reconstruct: stack A encoded and decoded; interpolate: the morph from "
              "stack A (t 0) to stack B (t 1) in the latent space.",
              choices=("sample", "reconstruct", "interpolate")),
        Param("t", "float", 0.5, "interpolate: how far from stack A towards stack B.",
              min=0.0, max=1.0),
        Param("temperature", "float", 1.0, "sample: scale of the prior's latent noise (lower: "
              "calmer, more typical materials).", min=0.0, max=2.0),
        Param("resolution", "int", 0,
              "Model pixels per texture width. 0: one per output pixel; N: the model runs "
              "at N pixels across (inputs resampled there, the result back), so the result "
              "looks the same at every render size. Sizes that are not multiples of the "
              "model's stride (2 for the shipped model) are run at the next multiple and "
              "resampled (still tiling).", min=0, max=8192),
        Param("levels", "enum", "input",
              "reconstruct, interpolate: input: each basecolor, height and roughness "
              "channel's mean and contrast are set to stack A's (interpolate: blended from "
              "A's to B's by t), which the latent grid alone decodes only approximately, "
              "and the normal's slopes follow the height's contrast; decoder: as the "
              "decoder made them.", choices=("input", "decoder")),
    ),
    backends=("cpu", "cuda"))


@hookimpl
def register_nodes(register):
    register(STYLEGAN)
    register(IMAGE_TO_MATERIAL)
    register(TRANSLATE)
    register(VAE)


@hookimpl
def register_commands(cli):
    from texgen_neural.cli import train_cyclegan, train_image2maps, train_stylegan, train_vae

    cli.commands["train"].add_command(train_stylegan)
    cli.commands["train"].add_command(train_image2maps)
    cli.commands["train"].add_command(train_cyclegan)
    cli.commands["train"].add_command(train_vae)
