"""Per-engine cache of resources loaded from files: trained models, their precomputed factors.

A node that reads a file it will need again (a StyleGAN checkpoint, a GMM model and the
factors the sampler derives from it) asks ``ctx.resources.get(kind, path, load)``. The
cache belongs to one ``Engine`` (two engines share nothing) and keys each entry by the
file's content digest, so an edited file is reloaded and a copied one is not; the digest
itself is remembered per (path, size, mtime) so an unchanged file is not re-read on every
render. Entries are evicted least recently used first.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
_CHUNK = 1 << 20


def sha256_file(path: str | Path) -> str:
    """SHA-256 hex digest of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class ResourceCache:
    """Loaded resources keyed by (kind, content digest, extra key), at most ``max_entries``.

    ``kind`` names what is cached ("neural.generator"), so two loaders of one file keep
    separate entries; ``key`` adds what else the value depends on (a device, options).
    """

    def __init__(self, max_entries: int = 16):
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple, Any] = OrderedDict()
        self._digests: dict[Path, tuple[int, int, str]] = {}  # path: (size, mtime, digest)

    def get(self, kind: str, path: str | Path, load: Callable[[Path], T], *,
            key: Hashable = ()) -> T:
        """``load(path)``, or the value it returned before for the same file content.

        Raises ``OSError`` if the file cannot be read; whatever ``load`` raises is passed
        on and nothing is cached.
        """
        path = Path(path).resolve()
        entry_key = (kind, self.digest(path), key)
        if entry_key in self._entries:
            self._entries.move_to_end(entry_key)
            return self._entries[entry_key]
        value = load(path)
        self._entries[entry_key] = value
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return value

    def digest(self, path: Path) -> str:
        """SHA-256 of the file's bytes, recomputed only when its size or mtime changes."""
        stat = path.stat()
        known = self._digests.get(path)
        if known is None or known[:2] != (stat.st_size, stat.st_mtime_ns):
            known = (stat.st_size, stat.st_mtime_ns, sha256_file(path))
            self._digests[path] = known
        return known[2]

    def clear(self) -> None:
        self._entries.clear()
        self._digests.clear()

    def __len__(self) -> int:
        return len(self._entries)
