"""Signed distances of the built-in shapes, negative inside, in the caller's length unit.

Written with NumPy ufuncs only, so the same functions run on arrays (the shape node) and,
compiled with ``numba.njit``, on scalars (the scatter kernel).
"""

import numpy as np

#: Shape kinds, by parameter value (codes for the scatter kernel).
SHAPES = {"circle": 0, "polygon": 1, "star": 2}


def frame(dx, dy, angle):
    """Offsets (dx, dy), y pointing down, seen from axes turned ``angle`` radians
    counter-clockwise on screen: returns (along the turned x axis, along the turned y)."""
    c, s = np.cos(angle), np.sin(angle)
    return c * dx - s * dy, s * dx + c * dy


def star(x, y, radius, points, inner):
    """Distance to a star with ``points`` tips at ``radius``, the first on the +x axis, and
    inner corners at ``inner * radius`` halfway between them. ``inner`` = cos(pi / points)
    puts the inner corners on the straight edges: a regular polygon. ``radius`` > 0."""
    wedge = np.pi / points
    # Fold by symmetry into the half-wedge from a tip (angle 0) to an inner corner (angle
    # wedge); there the outline is one segment, and mirrored segments are farther away.
    folded = np.abs(np.mod(np.arctan2(y, x) + wedge, 2.0 * wedge) - wedge)
    r = np.hypot(x, y)
    px, py = r * np.cos(folded) - radius, r * np.sin(folded)  # relative to the tip
    ex, ey = inner * radius * np.cos(wedge) - radius, inner * radius * np.sin(wedge)
    t = np.minimum(np.maximum((px * ex + py * ey) / (ex * ex + ey * ey), 0.0), 1.0)
    distance = np.hypot(px - t * ex, py - t * ey)
    # Inside is on the centre's side of the segment: left of tip -> inner corner.
    return -distance * np.sign(ex * py - ey * px)


def star_inner(kind, points, inner):
    """The ``inner`` argument of ``star`` for a polygon (kind 1) or a star (kind 2)."""
    return np.cos(np.pi / points) if kind == SHAPES["polygon"] else inner
