"""Conventional output roles: what an output named ``height`` or ``normal`` must hold.

A PBR material's maps have agreed names and shapes; game engines and DCC tools read them
that way. An output whose name is a role (or one of its aliases) must carry that role's
channel count, so ``height = "basecolor"`` (a color into a gray map) is a validation error
rather than a color PNG named height. Any other output name has no role and takes any
texture. Nodes rendered on request (``--node``) have no role either.

The table is data; docs/outputs.md documents it for users.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    """A conventional output: its ``name``, the channel counts it accepts, other names
    it goes by, a short description for the docs and messages, and the ``color_space`` of
    its values: "srgb" for colors authored as they look (a hex color is stored as written),
    "linear" for data. Formats that record it (DDS, EXR: docs/formats.md) use it."""

    name: str
    channels: tuple[int, ...]
    doc: str
    aliases: tuple[str, ...] = ()
    color_space: str = "linear"


ROLES = (
    Role("basecolor", (3, 4), "surface color (RGB, or RGBA with opacity in alpha)",
         ("albedo", "diffuse"), "srgb"),
    Role("normal", (3,), "tangent-space normal map (OpenGL or DirectX convention)"),
    Role("height", (1,), "height or displacement", ("displacement",)),
    Role("roughness", (1,), "microsurface roughness, 0 smooth to 1 rough"),
    Role("metallic", (1,), "0 dielectric, 1 metal", ("metalness",)),
    Role("ao", (1,), "ambient occlusion, 0 occluded to 1 open", ("occlusion",)),
    Role("emissive", (1, 3), "emitted light; may exceed 1 (HDR) in float formats",
         ("emission",), "srgb"),
    Role("opacity", (1,), "0 transparent to 1 opaque", ("alpha",)),
    Role("specular", (1,), "specular level (F0 scale) of dielectrics"),
    Role("orm", (3,), "packed occlusion (R), roughness (G), metallic (B)", ("arm",)),
)

_BY_NAME = {name: role for role in ROLES for name in (role.name, *role.aliases)}
_CHANNEL_WORDS = {1: "gray", 3: "color", 4: "rgba"}


def role_of(output_name: str) -> Role | None:
    """The role an output name denotes (case-insensitive), or None."""
    return _BY_NAME.get(output_name.lower())


def channel_problem(output_name: str, channels: int) -> str | None:
    """Why a texture of ``channels`` channels cannot be the output ``output_name``, or
    None when it can (or the name has no role)."""
    role = role_of(output_name)
    if role is None or channels in role.channels:
        return None
    wanted = " or ".join(_CHANNEL_WORDS[c] for c in role.channels)
    return (f"a {role.name} map is {wanted}, but this output is "
            f"{_CHANNEL_WORDS.get(channels, 'a texture')} ({channels} channels): connect "
            f"a {wanted} node, or rename the output if it is no {role.name} map")
