"""Text → material: ``texgen describe "TEXT"`` and ``texgen.describe(text)`` choose a
preset and exposed-parameter values from a description, explained phrase by phrase
(docs/describe.md).

This package is callable: ``texgen.describe(text, ...)`` is
``texgen.describe.describer.describe(text, ...)``, and ``texgen.describe`` stays the
package its modules are imported from. The modules: ``vocabulary`` (tokens and the data
files: global words, color names, modifiers), ``changes`` (the value forms of word tables
and text: "+50%", "x2", "80%"), ``describer`` (the parser, ``Description`` and the writer).
"""

import sys
import types

from texgen.describe.describer import (
    DescribeError,
    Description,
    describe,
    write_described_preset,
)

__all__ = ["DescribeError", "Description", "describe", "write_described_preset"]


class _CallablePackage(types.ModuleType):
    """``texgen.describe(...)`` is ``texgen.describe.describe(...)``."""

    def __call__(self, text, **options):
        return describe(text, **options)


sys.modules[__name__].__class__ = _CallablePackage
