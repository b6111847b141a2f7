"""Appending a run to benchmarks/RESULTS.md: one dated section per ``--append``.

Every benchmark script writes its section the same way: a heading with today's date, the
intro (command, machine, what was measured) wrapped at 92 columns, then its tables.
"""

from __future__ import annotations

import datetime
import textwrap
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def append_section(heading: str, intro: str, lines: list[str]) -> None:
    """Append ``## {heading} ({today})``, ``intro`` wrapped and ``lines`` to RESULTS.md."""
    section = ["", f"## {heading} ({datetime.date.today().isoformat()})", "",
               textwrap.fill(intro, width=92), "", *lines, "", ""]
    with open(RESULTS, "a", encoding="utf-8") as file:
        file.write("\n".join(section))
    print(f"appended to {RESULTS}")
