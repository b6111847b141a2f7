"""The ``texgen`` command.

Exit codes: 0 success, 2 bad input (preset, option, name, size), 1 a render or write that
failed. Errors print one line per problem, without a traceback unless ``--debug``.
"""

from __future__ import annotations

import json
import math
import sys
import traceback
import warnings
import webbrowser
from pathlib import Path

import click

from texgen.build.cli import build_command
from texgen.engine import BatchFailure, Engine
from texgen.errors import InputError, PluginError, TexgenError
from texgen.evaluate import NodeEvent, ResultCache, steady_heap
from texgen.fit import fit, fit_sheet, fitted_paths, write_fitted_preset
from texgen.io import (
    ClippedValuesWarning,
    atomic_write,
    check_output_folder,
    check_writable,
    write_picture,
)
from texgen.nodes import NodeSpec
from texgen.plugins import record
from texgen.schema import preset_schema
from texgen.sheet import SHEET_SIZE, render_sheet


def parse_size(value: str | None):
    if value is None:
        return None
    try:
        sides = [int(v) for v in value.lower().split("x")]
    except ValueError:
        sides = []
    if len(sides) not in (1, 2):
        raise click.BadParameter(f"{value!r}: give pixels, e.g. 1024 or 1024x512")
    return sides[0] if len(sides) == 1 else tuple(sides)


def _parse_sets(values: tuple[str, ...]) -> dict[str, str]:
    overrides = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{item!r}: use NAME=VALUE", param_hint="--set")
        overrides[name.strip()] = value.strip()
    return overrides


def _parse_frame_param(text: str) -> tuple[str, tuple[float, float] | None]:
    """``--frame-param NAME`` or ``NAME=START:END``: the name and the range, if given."""
    name, sep, span = text.partition("=")
    start, colon, end = span.partition(":")
    try:
        frame_range = (float(start), float(end)) if sep else None
    except ValueError:
        frame_range = None
    if not name.strip() or sep and (not colon or frame_range is None):
        raise click.BadParameter(f"{text!r}: use NAME or NAME=START:END, e.g. wear=0.2:0.75",
                                 param_hint="--frame-param")
    return name.strip(), frame_range


def progress_printer(preset_label: str, quiet: bool):
    if quiet:
        return None
    tty = sys.stderr.isatty()

    def show(event: NodeEvent) -> None:
        line = (f"{preset_label}: [{event.index}/{event.total}] {event.node_id} "
                f"({event.node_type}) {event.status} {event.seconds:.2f}s")
        end = "\n" if not tty or event.index == event.total else ""
        click.echo(("\r\033[K" if tty else "") + line, err=True, nl=False)
        click.echo(end, err=True, nl=False)

    return show


def _batch_progress(quiet: bool):
    """``(on_preset, on_frame, progress)`` callbacks for ``Engine.save_batch`` and
    ``render_sheet``: the node lines of ``progress_printer``, labelled ``PRESET`` or
    ``PRESET: frame i/N``; all None when quiet."""
    if quiet:
        return None, None, None
    state = {"preset": "", "printer": None}

    def on_preset(preset) -> None:
        state["preset"] = str(preset)
        state["printer"] = progress_printer(str(preset), quiet)

    def on_frame(index: int, frames: int) -> None:
        state["printer"] = progress_printer(f"{state['preset']}: frame {index + 1}/{frames}",
                                             quiet)

    return on_preset, on_frame, lambda event: state["printer"](event)


def _profile_printer(progress):
    """A progress callback for ``render --profile``: passes each ``NodeEvent`` on to
    ``progress`` (when not None) and, after a render's last node, prints its profile."""
    events: list[NodeEvent] = []

    def collect(event: NodeEvent) -> None:
        if progress:
            progress(event)
        events.append(event)
        if event.index == event.total:
            for line in profile_lines(events):
                click.echo(line, err=True)
            events.clear()

    return collect


def profile_lines(events: list[NodeEvent]) -> list[str]:
    """A render's profile as text: per node (in evaluation order) its seconds, peak resident
    memory above the start (``NodeEvent.peak_bytes``; "-" where not measured) and the
    results held after it, then the totals and the node at the highest peak."""
    def megabytes(count: int | None) -> str:
        return "-" if count is None else f"{count / 2**20:,.1f}"

    width = max(len(event.node_id) for event in events)
    kinds = max(len(event.node_type) for event in events)
    lines = [f"{'node':<{width}}  {'type':<{kinds}}  status    seconds  peak MB  held MB"]
    lines += [f"{e.node_id:<{width}}  {e.node_type:<{kinds}}  {e.status:<8}  {e.seconds:7.2f}  "
              f"{megabytes(e.peak_bytes):>7}  {megabytes(e.held_bytes):>7}" for e in events]
    peak = max(events, key=lambda e: e.peak_bytes or 0)
    lines.append(f"{len(events)} nodes, {sum(e.seconds for e in events):.2f}s; highest "
                 f"peak {megabytes(peak.peak_bytes)} MB in {peak.node_id}")
    return lines


def _names(value: str | None) -> list[str] | None:
    """A comma-separated option as a list (None when not given)."""
    return [name.strip() for name in value.split(",")] if value else None


def _finish_batch(failures: list[BatchFailure], total: int) -> None:
    """Print each failure of a ``--keep-going`` batch and exit 2 if any was bad input,
    else 1 (``BatchFailure.exit_code``); return when there is none."""
    if not failures:
        return
    for failure in failures:
        for line in str(failure.error).splitlines():
            click.echo(f"texgen: error: {line}", err=True)
    click.echo(f"texgen: {len(failures)} of {total} presets failed: "
               f"{', '.join(failure.preset for failure in failures)}", err=True)
    raise click.exceptions.Exit(max(failure.exit_code for failure in failures))


keep_going_option = click.option(
    "--keep-going", is_flag=True, help="Render the presets that pass their checks even if "
    "others fail, then list the failures (exit 2 if any was bad input, else 1). Without it, "
    "any bad preset stops the batch before anything renders.")
node_option = click.option(
    "--node", "nodes", metavar="ID[,ID...]", help="Render these nodes as if they were "
    "outputs, to {preset}_{ID}.{ext} (ID.port for another port than the first): instead of "
    "the outputs, or besides those named by --outputs.")


preset_options = [
    click.option("--size", help="Output size in pixels: 1024 or 1024x512."),
    click.option("--seed", type=int, help="Preset seed (each node's seed derives from it)."),
    click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
                 help="Set an exposed parameter; repeatable."),
]


def with_preset_options(command):
    for option in reversed(preset_options):
        command = option(command)
    return command


@click.command()
@click.argument("presets", nargs=-1, required=True)
@click.option("-o", "--output-dir", default="out", show_default=True, type=click.Path(),
              help="Folder for the files; nothing is written outside it.")
@with_preset_options
@click.option("--outputs", help="Comma-separated outputs to render (default: all).")
@node_option
@click.option("--format", "format_name", help="File format for every output (png8, png16, "
              "tiff, exr, exr32, dds, or a plugin's: see docs/formats.md); default: as in the "
              "preset, else png16 for gray and png8 for color.")
@click.option("--normalize", metavar="NAME[,NAME...]", help="Outputs or nodes to rescale "
              "from their min..max to 0..1 before an 8/16-bit write (as normalize = true in "
              "the preset's [outputs]); float formats keep the values.")
@click.option("--backend", default="cpu", show_default=True,
              type=click.Choice(["cpu", "cuda", "auto"]))
@click.option("--frames", type=int, metavar="N", help="Render an animation of N frames, "
              "{preset}_{output}_{i:04d}.{ext}: frame i sets --frame-param to i/N (a loop).")
@click.option("--frame-param", metavar="NAME[=START:END]", help="The exposed float parameter "
              "the frames animate (default: phase); with START:END it goes from START at the "
              "first frame to END at the last, both included (wear=0.2:0.75).")
@keep_going_option
@click.option("--profile", is_flag=True, help="After each render, print per node on stderr "
              "its seconds, its peak resident memory above what the process held when it "
              "started, and the bytes of results held once it ran.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@click.pass_obj
def render(engine: Engine, presets, output_dir, size, seed, sets, outputs, nodes, format_name,
           normalize, backend, frames, frame_param, keep_going, profile, as_json, quiet):
    """Render PRESETS (files or names) to {preset}_{output}.{ext} files; with --frames N,
    a looping animation to {preset}_{output}_{i:04d}.{ext} files, i = 0..N-1.

    Every preset is checked before any renders. Values out of [0, 1] that an 8/16-bit
    format clips are reported, one warning line per output."""
    if frames is None:
        # each result is needed once: a cache could only pin memory (2 GiB by default);
        # the frames of an animation reuse what does not depend on the frame parameter
        engine.cache = ResultCache(max_bytes=0)
    if frame_param is not None and frames is None:
        raise click.UsageError("--frame-param needs --frames")
    frame_param, frame_range = _parse_frame_param(frame_param or "phase")
    options = dict(size=parse_size(size), seed=seed, overrides=_parse_sets(sets),
                   outputs=_names(outputs), nodes=_names(nodes), format=format_name,
                   normalize=_names(normalize) or (), backend=backend)
    if frames is not None:
        options.update(frames=frames, frame_param=frame_param, frame_range=frame_range)
    silent = quiet or as_json
    on_preset, on_frame, progress = _batch_progress(silent)
    if profile:
        progress = _profile_printer(progress)
    with warnings.catch_warnings():  # printed below from the reports, once
        warnings.simplefilter("ignore", ClippedValuesWarning)
        batch = engine.save_batch(presets, output_dir, keep_going=keep_going,
                                  on_preset=on_preset, on_frame=on_frame, progress=progress,
                                  profile=profile, **options)
    for report in batch.reports:
        for line in report.warnings:
            click.echo(f"texgen: warning: {line}", err=True)
        if not silent:
            frames_note = f" ({frames} frames)" if frames is not None else ""
            click.echo(f"{report.preset}: wrote {len(report.files)} files{frames_note} to "
                       f"{output_dir} ({report.computed} nodes computed, {report.cached} "
                       f"cached, {report.seconds:.2f}s)", err=True)
    if as_json:
        click.echo(json.dumps([*(report.as_dict() for report in batch.reports),
                               *({"preset": failure.preset, "error": str(failure.error),
                                  "exit_code": failure.exit_code}
                                 for failure in batch.failures)], indent=2))
    _finish_batch(batch.failures, len(presets))


@click.command()
@click.argument("presets", nargs=-1, required=True)
@with_preset_options
@click.pass_obj
def validate(engine: Engine, presets, size, seed, sets):
    """Check PRESETS without rendering; exit 2 and list every problem if any."""
    for preset in presets:
        graph = engine.validate(preset, size=parse_size(size), seed=seed,
                                overrides=_parse_sets(sets))
        click.echo(f"{graph.preset.source}: ok ({len(graph.nodes)} nodes, "
                   f"outputs: {', '.join(graph.outputs)})")


@click.command("describe")
@click.argument("node_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def nodes_describe(engine: Engine, node_id, as_json):
    """Document one node type: ports, parameters, defaults, ranges."""
    try:
        spec = engine.registry.get(node_id)
    except KeyError as exc:
        raise InputError(exc.args[0]) from None
    if as_json:
        click.echo(json.dumps(describe_spec(spec), indent=2))
        return
    click.echo(f"{spec.id} (version {spec.version}, plugin {spec.plugin})\n  {spec.doc}")
    for title, ports in (("inputs", spec.inputs), ("outputs", spec.outputs)):
        if ports:
            click.echo(f"{title}:")
            for port in ports:
                optional = ", optional" if port.optional else ""
                same = f", channels of {' or '.join(port.same_as)}" if port.same_as else ""
                click.echo(f"  {port.name} ({port.type}{optional}{same})  {port.doc}")
    if spec.params:
        click.echo("parameters:")
    for param in spec.params:
        click.echo(f"  {param.name} ({param.summary})  {param.doc}")


def describe_spec(spec: NodeSpec) -> dict:
    """A JSON-ready description of a node spec."""
    return {
        "id": spec.id, "plugin": spec.plugin, "version": spec.version, "doc": spec.doc,
        "backends": list(spec.backends),
        "inputs": [vars(p) for p in spec.inputs], "outputs": [vars(p) for p in spec.outputs],
        "params": [{"name": p.name, "type": p.type, "default": _jsonable(p.default),
                    "min": p.min, "max": p.max, "choices": list(p.choices), "doc": p.doc}
                   for p in spec.params],
    }


def _jsonable(value):
    return json.loads(json.dumps(value, default=str))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def plugins(engine: Engine, as_json):
    """List plugins: versions, what they contribute, load errors."""
    if as_json:
        click.echo(json.dumps([p.as_dict() for p in engine.plugins], indent=2))
        return
    for info in engine.plugins:
        version = f" {info.version}" if info.version else ""
        click.echo(f"{info.name}{version} [{info.status}] ({info.module})")
        for label, items in (("nodes", info.nodes), ("formats", info.exporters),
                             ("targets", info.targets), ("preset folders", info.preset_dirs)):
            if items:
                click.echo(f"  {label}: {', '.join(items)}")
        for error in info.errors:
            click.echo(f"  error: {error}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def presets(engine: Engine, as_json):
    """List presets found in ./presets and in plugin preset folders (where it looked goes to
    stderr, so that the list stays easy to read by a script)."""
    looked = ", ".join(f"{folder.resolve()}{'' if folder.is_dir() else ' (missing)'}"
                       for folder in engine.preset_folders())
    found = {}
    for name, path in engine.find_presets().items():
        try:
            description = engine.load_preset(path).description
        except InputError as exc:
            description = f"(invalid: {str(exc).splitlines()[0]})"
        found[name] = {"path": str(path), "description": description}
    if not found:
        click.echo(f"texgen: no presets found (looked in: {looked}); render a preset file by "
                   f"its path (texgen render path/to/marble.toml), or add a presets/ folder "
                   f"here", err=True)
    else:
        click.echo(f"looked in: {looked}", err=True)
    if as_json:
        click.echo(json.dumps(found, indent=2))
        return
    width = max((len(n) for n in found), default=0)
    for name, item in found.items():
        click.echo(f"{name:<{width}}  {item['path']}  {item['description']}")


@click.command()
@click.argument("presets", nargs=-1, required=True)
@click.option("-o", "--output", default="sheet.png", show_default=True, type=click.Path(),
              help="Picture to write: PNG, or JPEG (.jpg/.jpeg: a tenth of the size, lossy).")
@click.option("--size", default=str(SHEET_SIZE), show_default=True,
              help="Render size per preset.")
@click.option("--seed", type=int, help="Preset seed.")
@click.option("--thumb", default=192, show_default=True, type=click.IntRange(16, 2048),
              help="Thumbnail size in pixels.")
@click.option("--columns", type=click.IntRange(1, 1024), metavar="N", help="At most N "
              "thumbnails per line; a preset with more wraps onto further lines (default: "
              "one line per preset).")
@click.option("--outputs", help="Comma-separated outputs to show (default: all).")
@node_option
@keep_going_option
@click.option("-q", "--quiet", is_flag=True, help="No progress or summary on stderr.")
@click.pass_obj
def sheet(engine: Engine, presets, output, size, seed, thumb, columns, outputs, nodes,
          keep_going, quiet):
    """Render PRESETS into one labelled contact sheet (a row per preset). Every preset is
    checked before any renders; with --keep-going a failed preset is an error tile."""
    on_preset, _, progress = _batch_progress(quiet)
    image, failures = render_sheet(engine, presets, size=parse_size(size), seed=seed,
                                   outputs=_names(outputs), nodes=_names(nodes),
                                   keep_going=keep_going, thumb=thumb, columns=columns,
                                   progress=progress, on_preset=on_preset)
    write_picture(output, image)
    if not quiet:
        click.echo(f"wrote {output}", err=True)
    _finish_batch(failures, len(presets))


@click.command()
@click.option("-o", "--output", default="docs/nodes.md", show_default=True,
              type=click.Path(), help="Markdown file; thumbnails go to nodes/ beside it.")
@click.pass_obj
def docs(engine: Engine, output):
    """Write the node reference of the installed nodes, with a thumbnail per node."""
    from texgen.reference import write_reference

    with warnings.catch_warnings(record=True) as caught:  # a node without a thumbnail
        warnings.simplefilter("always", UserWarning)
        files = write_reference(engine, Path(output))
    for warning in caught:
        click.echo(f"texgen: warning: {warning.message}", err=True)
    click.echo(f"wrote {output} and {len(files) - 1} thumbnails", err=True)


@click.command()
@click.option("-o", "--output", type=click.Path(), help="Write to this file (default: stdout).")
@click.pass_obj
def schema(engine: Engine, output):
    """Print the JSON Schema of preset files for the installed nodes (editor completion)."""
    text = json.dumps(preset_schema(engine.registry), indent=2) + "\n"
    if output:
        atomic_write(Path(output), lambda path: path.write_text(text))
    else:
        click.echo(text, nl=False)


def _fit_scale(value: str) -> float | str:
    """``texgen fit --scale``: "auto" or a number > 0."""
    if value == "auto":
        return value
    try:
        scale = float(value)
    except ValueError:
        scale = float("nan")
    if not (math.isfinite(scale) and scale > 0):
        raise click.BadParameter(f"expected a number > 0 or 'auto', got {value!r}")
    return scale


#: ``texgen fit``'s option defaults are ``texgen.fit``'s.
FIT_DEFAULTS = fit.__kwdefaults__


@click.command("fit")
@click.argument("photo", type=click.Path(dir_okay=False))
@click.option("-o", "--output", default="fitted.toml", show_default=True, type=click.Path(),
              help="The fitted preset to write; its report goes to {stem}.fit.json.")
@click.option("--preset", "presets", multiple=True, metavar="NAME",
              help="A candidate preset (name or path); repeatable. Default: every preset.")
@click.option("--minutes", default=FIT_DEFAULTS["minutes"], show_default=True,
              type=click.FloatRange(min=0.01),
              help="Wall-clock bound of the whole fit.")
@click.option("--seed", default=FIT_DEFAULTS["seed"], show_default=True, type=int,
              help="Seeds the render seeds, the loss's patch sampling and CMA-ES.")
@click.option("--size", default=FIT_DEFAULTS["size"], show_default=True,
              type=click.IntRange(32, 4096),
              help="Side of the square renders and of the resized photo crop.")
@click.option("--seeds", default=FIT_DEFAULTS["seeds"], show_default=True,
              type=click.IntRange(1, 16),
              help="Render seeds each loss is averaged over.")
@click.option("--samples", default=FIT_DEFAULTS["samples"], show_default=True,
              type=click.IntRange(0),
              help="Random points of each candidate's parameters the first pass scores "
                   "besides its defaults (colors from the photo's pixels).")
@click.option("--shortlist", default=FIT_DEFAULTS["shortlist"], show_default=True,
              type=click.IntRange(1, 100),
              help="How many of the first pass's best presets are searched.")
@click.option("--evaluations", default=FIT_DEFAULTS["evaluations"], show_default=True,
              type=click.IntRange(0),
              help="Search evaluations in all, shared by the shortlisted presets.")
@click.option("--scale", default="1", show_default=True, metavar="S|auto",
              callback=lambda ctx, param, value: _fit_scale(value),
              help="How many texture widths the photo's square crop shows across; 'auto': "
                   "each candidate's best of 1, 2, 3, 4 at its defaults.")
@click.option("--sheet", type=click.Path(dir_okay=False), metavar="PNG",
              help="Also write photo crop | fitted render | defaults side by side (PNG, or "
                   "JPEG for .jpg/.jpeg).")
@click.option("-q", "--quiet", is_flag=True, help="No progress or summary on stderr.")
@click.pass_obj
def fit_command(engine: Engine, photo, output, presets, minutes, seed, size, seeds,
                samples, shortlist, evaluations, scale, sheet, quiet):
    """Fit a preset to PHOTO: choose the preset and exposed parameter values whose render
    looks most like the photo's centred square crop (--scale texture widths), and write them
    as a preset instancing the chosen one (docs/fit.md)."""
    fitted_paths(output)
    if sheet:
        check_writable(Path(sheet))
    tty = sys.stderr.isatty()

    def show(event) -> None:
        line = (f"fit: {event.stage} [{event.index}/{event.total}] {event.preset} "
                f"loss {event.loss:.4f} best {event.best:.4f} {event.seconds:.0f}s")
        click.echo(("\r\033[K" if tty else "") + line + ("" if tty else "\n"), err=True,
                   nl=False)

    result = fit(photo, presets=list(presets) or None, engine=engine, minutes=minutes,
                 seed=seed, size=size, seeds=seeds, samples=samples, shortlist=shortlist,
                 evaluations=evaluations, scale=scale, progress=None if quiet else show)
    report = write_fitted_preset(result, output)
    if sheet:
        write_picture(sheet, fit_sheet(result, photo, engine=engine))
    if quiet:
        return
    if tty:
        click.echo("", err=True)
    for name, score in sorted(result.candidates.items(),
                              key=lambda item: (item[1] is None, item[1] or 0.0)):
        note = "skipped: " + result.skipped[name] if score is None else f"{score:.4f}"
        if score is not None and scale == "auto":
            note += f" at scale {result.candidate_scales[name]:g}"
        click.echo(f"  {name:<24} {note}", err=True)
    values = ", ".join(f"{name}={value}" for name, value in result.values.items())
    click.echo(f"fit: {result.preset} at scale {result.scale:g}, loss "
               f"{result.defaults_loss:.4f} at its defaults -> {result.loss:.4f} "
               f"({values or 'no searched parameters'}) in {result.seconds:.0f}s", err=True)
    click.echo(f"wrote {output} and {report}" + (f" and {sheet}" if sheet else ""), err=True)


@click.command("describe")
@click.argument("text", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="PRESET.toml",
              help="Write a preset instancing the chosen one with the values described.")
@click.option("--render", "render_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Render the described material into DIR ({preset}_{output}.{ext}).")
@click.option("--size", metavar="N|WxH",
              help="Render size for --render (default: the preset's).")
@click.option("--seed", type=int, help="Render seed for --render (default: the preset's).")
@click.option("--preset", "presets", multiple=True, metavar="NAME",
              help="A candidate preset (name or path; repeatable). Default: every preset "
                   "'texgen presets' lists.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON: preset, "
              "overrides, explanation, unknown.")
@click.option("-q", "--quiet", is_flag=True,
              help="Print nothing but errors and --json's output.")
@click.pass_obj
def describe_command(engine: Engine, text, output, render_dir, size, seed, presets, as_json,
                     quiet):
    """Text to material: choose the preset TEXT describes and the exposed parameter values
    its words ask for ("weathered dark red bricks with wide mortar"), and explain each
    phrase; the words it did not understand are listed (docs/describe.md)."""
    from texgen.describe import describe, write_described_preset

    render_size = parse_size(size)
    if output:
        check_writable(Path(output))
    result = describe(" ".join(text), presets=list(presets) or None, engine=engine)
    if render_dir:  # the render's checks before the preset is written
        engine.check_size(engine.validate(result.preset_object, size=render_size, seed=seed,
                                          overrides=result.overrides))
        check_output_folder(Path(render_dir))
    if output:
        write_described_preset(result, output)
    report = None
    if render_dir:
        report = engine.save(result.preset_object, render_dir, size=render_size,
                             seed=seed, overrides=result.overrides,
                             progress=progress_printer(result.preset, quiet or as_json))
    if as_json:
        data = result.as_dict()
        if report is not None:
            data["render"] = report.as_dict()
        click.echo(json.dumps(data, indent=2))
    elif not quiet:
        for line in result.lines():
            click.echo(line)
    if not quiet:
        if output:
            click.echo(f"wrote {output}", err=True)
        if report is not None:
            click.echo(f"{result.preset}: wrote {len(report.files)} files to {render_dir}",
                       err=True)


@click.command("preview")
@click.argument("presets", nargs=-1, required=True)
@click.option("--size", metavar="N|WxH",
              help="Render size (default 512 served, 256 with --static: a page holds every "
                   "output at full size).")
@click.option("--seed", type=int, help="Preset seed (each node's seed derives from it).")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
              help="Start with an exposed parameter set; repeatable.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free one).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (the default serves this computer only).")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the browser.")
@click.option("--static", "static_dir", type=click.Path(file_okay=False), metavar="OUT_DIR",
              help="Write the page of each preset into OUT_DIR/<name>/ as static files "
                   "(no controls) instead of serving one.")
@click.pass_obj
def preview_command(engine: Engine, presets, size, seed, sets, port, host, open_browser,
                    static_dir):
    """Show a preset in the browser: its node graph with a thumbnail per node, its outputs,
    a lit 3D view and a control per exposed parameter, live as you edit (docs/preview.md)."""
    from texgen.preview import export_static, serve

    options = {"seed": seed, "overrides": _parse_sets(sets)}
    if size is not None:  # else the Python functions' defaults, the same as documented
        options["size"] = parse_size(size)
    if static_dir is not None:
        for page in export_static(presets, static_dir, engine=engine, **options):
            click.echo(page)
        return
    if len(presets) != 1:
        raise click.UsageError("give one preset to serve (several go with --static)")
    try:
        server = serve(presets[0], host=host, port=port, engine=engine, **options)
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    with server:
        click.echo(f"texgen preview: serving {presets[0]} at {server.url} (Ctrl-C stops)")
        if open_browser:
            webbrowser.open(server.url)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            click.echo("texgen preview: stopped", err=True)


@click.command("eval")
@click.argument("synthesis", metavar="SYNTH")
@click.argument("more_seeds", nargs=-1, metavar="[OTHER]...")
@click.option("--exemplar", metavar="EX", help="The exemplar image the synthesis imitates.")
@click.option("--seeds", multiple=True, metavar="OTHER",
              help="Other syntheses of the same size (other seeds) for the diversity score; "
                   "every image after --seeds counts (--seeds a.png b.png).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def eval_command(synthesis, more_seeds, exemplar, seeds, as_json):
    """Score the texture SYNTH (PNG, TIFF, ...): seam scores and a seam verdict; with
    --exemplar, MSE, SSIM, spectrum, histogram and patch sliced-Wasserstein distances (a gray
    exemplar against a color SYNTH: as gray when its channels are equal, else its luma);
    with --seeds, diversity."""
    from texgen import metrics
    from texgen.io import read_image

    if more_seeds and not seeds:
        raise click.UsageError(f"unexpected extra argument {more_seeds[0]!r}: SYNTH is one "
                               f"image; put other seeds after --seeds")
    others = [*seeds, *more_seeds]
    image = read_image(synthesis)
    example = read_image(exemplar) if exemplar is not None else None
    other_images = [read_image(path) for path in others]
    for path, other in zip(others, other_images):
        if other.shape != image.shape:
            raise InputError(f"{path}: {other.shape[1]}x{other.shape[0]}x{other.shape[2]} "
                             f"image, but --seeds images must have the shape of {synthesis} "
                             f"({image.shape[1]}x{image.shape[0]}x{image.shape[2]})")
    try:
        channels = "" if example is None else metrics.match_channels(image, example)[2]
        scores = metrics.evaluate(image, example, others=other_images)
    except ValueError as exc:
        raise InputError(f"{synthesis}: {exc}") from None
    seam = scores.get("seam_outlier", 0.0) > metrics.SEAM_OUTLIER_LIMIT
    if as_json:
        click.echo(json.dumps({"synthesis": synthesis, "exemplar": exemplar, "seeds": others,
                               "channels": channels, "seam": seam, "metrics": scores},
                              indent=2))
        return
    if channels:
        click.echo(f"channels: {channels}", err=True)
    limit = f"{metrics.SEAM_OUTLIER_LIMIT:g}"
    notes = {"mse": metrics.COPY_NOTE, "ssim": metrics.COPY_NOTE,
             "spectrum_distance": "lower is better", "histogram_distance": "lower is better",
             "patch_swd": "main texture-quality score; lower is better",
             "seam_score": "border step / mean interior step (a line on the border scores "
                           "high too: see seam_outlier)",
             "seam_outlier": (f"a seam: the border stands out (> {limit})" if seam else
                              f"tiles: the border is like the texture's own lines "
                              f"(<= {limit})"),
             "diversity": "0: copies, 1: unrelated; higher is more diverse"}
    skipped = {}
    if example is not None:
        if example.shape != image.shape:
            skipped["mse"] = skipped["ssim"] = "skipped: needs images of the same size"
        elif not metrics.ssim_available():
            skipped["ssim"] = "skipped: needs scikit-image: pip install 'texgen[metrics]'"
        else:
            skipped["ssim"] = "skipped: needs at least 7x7 pixels"
        skipped["patch_swd"] = (f"skipped: needs at least {metrics._patch_swd_min_side()} "
                                f"pixels per side")
    rows = [(name, f"{scores[name]:.4g}", notes[name]) if name in scores else
            (name, "-", skipped[name]) for name in notes if name in scores or name in skipped]
    width = max(len("metric"), *(len(name) for name, _, _ in rows))
    value_width = max(len("value"), *(len(value) for _, value, _ in rows))
    for name, value, note in [("metric", "value", "note"), *rows]:
        click.echo(f"{name:<{width}}  {value:>{value_width}}  {note}".rstrip())


def make_cli() -> click.Group:
    """A fresh ``texgen`` command group with the built-in commands.

    Each run builds its own, and plugins add their commands to it (``register_commands``),
    so no module-level group ever changes. ``--debug`` is kept in the root context's
    params, where ``main`` reads it when a command fails.
    """

    @click.group("texgen")
    @click.version_option(package_name="texgen")
    @click.option("--debug", is_flag=True, help="Show tracebacks.")
    @click.option("--strict", is_flag=True,
                  help="Fail if any plugin failed to load (also TEXGEN_STRICT_PLUGINS=1).")
    @click.pass_obj
    def root(engine: Engine, debug, strict):
        """texgen: tileable procedural texture sets from preset files."""
        if strict and engine.plugin_problems():
            raise PluginError(f"plugin {engine.plugin_problems()[0]}")

    @root.group(invoke_without_command=True)
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    @click.pass_context
    def nodes(ctx, as_json):
        """List node types (`texgen nodes describe ID` documents one)."""
        if ctx.invoked_subcommand:
            return
        engine: Engine = ctx.obj
        if as_json:
            click.echo(json.dumps([describe_spec(s) for s in engine.registry], indent=2))
            return
        width = max((len(s.id) for s in engine.registry), default=0)
        for spec in engine.registry:
            click.echo(f"{spec.id:<{width}}  {spec.doc}")

    nodes.add_command(nodes_describe)

    @root.group()
    def train():
        """Train the models that generator nodes sample from.

        The trainers come from plugins (``train gmm`` from stats, ``train stylegan`` from
        neural): a plugin's ``register_commands(cli)`` adds its own with
        ``cli.commands["train"].add_command(...)``.
        """

    for command in (render, validate, plugins, presets, sheet, docs, schema, eval_command,
                    fit_command, build_command, describe_command, preview_command):
        root.add_command(command)
    return root


def add_plugin_commands(engine: Engine, root: click.Group) -> None:
    """Let each plugin add its commands to ``root`` (hook ``register_commands``).

    click lets a command of the same name replace one already there, so a plugin could
    silently take over ``texgen render`` (or another plugin's ``train gmm``): such a
    command is refused as a plugin error, naming the plugin and the command, and the one
    it replaced is put back.
    """
    for info in engine.plugins:
        before = list(_subcommands(root))
        engine.call_each(info, "register_commands", cli=root)
        for group, path, command in before:
            if group.commands.get(path[-1]) is not command:
                group.commands[path[-1]] = command
                record(info, f"register_commands: command '{' '.join(path)}' is already "
                             f"taken", engine.policy)


def _subcommands(group: click.Group, path: tuple[str, ...] = ()):
    """(group, path, command) for every command under ``group``, nested groups included."""
    for name, command in list(group.commands.items()):
        yield group, (*path, name), command
        if isinstance(command, click.Group):
            yield from _subcommands(command, (*path, name))


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``texgen`` console script; returns the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    ctx: click.Context | None = None
    steady_heap()  # no page-fault churn between bands of rows at 4096² and up
    try:
        engine = Engine()
        root = make_cli()
        add_plugin_commands(engine, root)
        ctx = root.make_context("texgen", list(argv), obj=engine)
        with ctx:
            root.invoke(ctx)
        return 0
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except KeyboardInterrupt:  # Ctrl-C: the shell's 128 + SIGINT, so scripts can tell
        click.echo("texgen: interrupted", err=True)
        return 130
    except (click.Abort, EOFError):
        click.echo("texgen: aborted", err=True)
        return 1
    except TexgenError as exc:
        if _debug(ctx):
            traceback.print_exc()
        for line in str(exc).splitlines():
            click.echo(f"texgen: error: {line}", err=True)
        return 2 if isinstance(exc, InputError) else 1
    except Exception as exc:  # noqa: BLE001 - the CLI's last line of defence
        if _debug(ctx):
            traceback.print_exc()
        click.echo(f"texgen: internal error: {type(exc).__name__}: {exc} "
                   f"(run with --debug for the traceback)", err=True)
        return 1


def _debug(ctx: click.Context | None) -> bool:
    """Whether click parsed ``--debug`` for this run (False when the failure came before
    the options were parsed)."""
    return ctx is not None and ctx.params.get("debug", False)


if __name__ == "__main__":
    sys.exit(main())
