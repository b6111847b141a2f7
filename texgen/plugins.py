"""Loading plugins: the engine's own, then entry points of group "texgen", one at a time.

A plugin that fails to import, implements an unknown hook, or registers something invalid
is recorded on its ``PluginInfo`` and the others keep working; in strict mode the first
such problem raises ``PluginError`` instead (for pipeline CI).

Environment variables (read when an ``Engine`` is created, overridden by its arguments):

- ``TEXGEN_PLUGINS``: comma-separated allow-list of plugin names to load (default: all).
- ``TEXGEN_BLOCK_PLUGINS``: comma-separated plugin names never to load.
- ``TEXGEN_STRICT_PLUGINS=1``: strict mode.
"""

from __future__ import annotations

import importlib.metadata
import inspect
import os
from dataclasses import dataclass, field
from types import ModuleType

import pluggy

from texgen import hookspecs
from texgen.errors import PluginError, did_you_mean

ENTRY_POINT_GROUP = "texgen"
#: Hooks the engine itself provides through plugins that are always loaded.
CORE_PLUGINS = {"core": "texgen.io", "formats": "texgen.formats"}


@dataclass
class PluginInfo:
    """What ``texgen plugins`` reports about one plugin."""

    name: str
    module: str
    version: str = ""
    source: str = "entry point"  # "core", "entry point" or "api"
    status: str = "loaded"  # "loaded", "failed", "blocked"
    errors: list[str] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)
    exporters: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    preset_dirs: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(vars(self))


@dataclass(frozen=True)
class PluginPolicy:
    """Which plugins to load, and whether a broken one is an error."""

    allow: frozenset[str] | None = None
    block: frozenset[str] = frozenset()
    strict: bool = False

    @classmethod
    def from_env(cls, *, allow=None, block=None, strict=None) -> PluginPolicy:
        def names(value):
            return frozenset(n.strip() for n in value.split(",") if n.strip())

        env = os.environ
        if allow is None and env.get("TEXGEN_PLUGINS"):
            allow = names(env["TEXGEN_PLUGINS"])
        if block is None:
            block = names(env.get("TEXGEN_BLOCK_PLUGINS", ""))
        if strict is None:
            strict = env.get("TEXGEN_STRICT_PLUGINS", "").lower() in ("1", "true", "yes")
        return cls(frozenset(allow) if allow is not None else None, frozenset(block), strict)

    def allows(self, name: str) -> bool:
        return name not in self.block and (self.allow is None or name in self.allow)


def new_plugin_manager() -> pluggy.PluginManager:
    manager = pluggy.PluginManager("texgen")
    manager.add_hookspecs(hookspecs)
    return manager


def load_plugins(manager: pluggy.PluginManager, policy: PluginPolicy, *,
                 entry_points: bool = True) -> list[PluginInfo]:
    """Register the core plugins, then every allowed entry point; return what happened."""
    infos = []
    for name, module_name in CORE_PLUGINS.items():
        info = PluginInfo(name, module_name, source="core")
        register_plugin(manager, importlib.import_module(module_name), info, policy)
        infos.append(info)
    for entry_point in _sorted_entry_points() if entry_points else ():
        info = PluginInfo(entry_point.name, entry_point.value,
                          version=entry_point.dist.version if entry_point.dist else "")
        infos.append(info)
        if not policy.allows(entry_point.name):
            info.status = "blocked"
            continue
        if any(i.name == entry_point.name and i is not info for i in infos):
            record(info, f"plugin name '{entry_point.name}' is already taken", policy,
                   failed=True)
            continue
        try:
            plugin = entry_point.load()
        except Exception as exc:  # noqa: BLE001 - any import failure is the plugin's problem
            record(info, f"failed to import {entry_point.value}: {type(exc).__name__}: {exc}",
                   policy, failed=True)
            continue
        register_plugin(manager, plugin, info, policy)
    return infos


def register_plugin(manager: pluggy.PluginManager, plugin: object, info: PluginInfo,
                    policy: PluginPolicy) -> None:
    """Register one plugin object with pluggy, recording a failure on ``info``."""
    wrong_arguments = argument_problems(manager, plugin)
    for problem in wrong_arguments:
        record(info, problem, policy, failed=True)
    if wrong_arguments:
        return
    try:
        manager.register(plugin, name=info.name)
    except (ValueError, pluggy.PluginValidationError) as exc:
        record(info, f"cannot register: {' '.join(str(exc).split())}", policy, failed=True)
        return
    for problem in pending_hooks(manager, info.name) + unmarked_hooks(manager, plugin):
        record(info, problem, policy)


def _hook_names(manager: pluggy.PluginManager) -> list[str]:
    return [name for name in vars(manager.hook) if not name.startswith("_")
            and getattr(manager.hook, name).spec is not None]


def argument_problems(manager: pluggy.PluginManager, plugin: object) -> list[str]:
    """Hook implementations of ``plugin`` that take an argument their hook does not pass
    (``register_nodes(regster)``), one line each.

    pluggy refuses such a plugin with a message of several lines; this says which hook and
    argument, and the closest argument the hook does pass.
    """
    problems = []
    for attr in dir(plugin):
        options = manager.parse_hookimpl_opts(plugin, attr)
        hook = options and getattr(manager.hook, options.get("specname") or attr, None)
        if hook is None or hook.spec is None:
            continue  # not an implementation, or an unknown hook (pending_hooks)
        passed = hook.spec.argnames
        for name in inspect.signature(getattr(plugin, attr)).parameters:
            if name not in passed:
                problems.append(f"hook '{attr}': argument '{name}' is not one the hook passes "
                                f"({', '.join(passed)}){did_you_mean(name, passed)}")
    return problems


def unmarked_hooks(manager: pluggy.PluginManager, plugin: object) -> list[str]:
    """Functions of ``plugin`` named like a hook but not marked ``@texgen.hookimpl``:
    pluggy ignores them, so without this the plugin would load and register nothing."""
    return [f"'{name}' is not marked @texgen.hookimpl, so it is never called"
            for name in _hook_names(manager)
            if callable(getattr(plugin, name, None))
            and manager.parse_hookimpl_opts(plugin, name) is None]


def pending_hooks(manager: pluggy.PluginManager, plugin_name: str) -> list[str]:
    """Hook implementations of one plugin that match no hook spec (misspelt hook names).

    This is pluggy's ``check_pending()`` narrowed to one plugin, so that one plugin's typo
    is reported against it without stopping the others.
    """
    known = _hook_names(manager)
    problems = []
    for name, caller in vars(manager.hook).items():
        if name.startswith("_") or caller.spec is not None:
            continue
        for impl in caller.get_hookimpls():
            if impl.plugin_name == plugin_name and not impl.optionalhook:
                problems.append(f"unknown hook '{name}'{did_you_mean(name, known)}")
    return problems


def record(info: PluginInfo, message: str, policy: PluginPolicy, *,
           failed: bool = False) -> None:
    """Note a plugin problem; raise it at once in strict mode.

    ``failed`` marks a plugin that could not be loaded, or not wholly (import,
    registration, name, a hook that raised part way): its status becomes "failed", though
    what it registered before the failure stays. Other problems (one bad node spec, an
    unknown hook) leave it "loaded" with errors, since the rest of what it registered works.
    """
    info.errors.append(message)
    if failed and info.status == "loaded":
        info.status = "failed"
    if policy.strict:
        raise PluginError(f"plugin '{info.name}': {message}")


def _sorted_entry_points() -> list[importlib.metadata.EntryPoint]:
    """Built-ins (shipped in the texgen distribution) first, then the rest by name."""
    points = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    unique = {(p.name, p.value): p for p in points}.values()  # editable installs may repeat
    return sorted(unique, key=lambda p: (
        (p.dist.name if p.dist else "").lower() != "texgen", p.name, p.value))


def module_name(plugin: object) -> str:
    return plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__qualname__
