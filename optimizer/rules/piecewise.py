"""Piecewise-linear functions: how the rules state their scales, and what the optimizer reads.

Several rules are piecewise linear in one number: the quality category in the measure points
(the cap at 100% and the improvement score's kinks), the final score in the weighted category sum
(the cap at 100), the payment adjustment in the final score (the step at a quarter of the
threshold). Each rule builds its pieces once; the rule evaluates them and the integer program
takes them as its coefficients, so both read one definition.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class LinearPiece:
    """``value = slope × x + intercept`` for x in the interval, whose ends may be open or closed."""

    lower: float
    upper: float
    lower_included: bool
    upper_included: bool
    slope: float
    intercept: float

    def value(self, x: float) -> float:
        """The piece's line at ``x``."""
        return self.slope * x + self.intercept

    def contains(self, x: npt.ArrayLike) -> np.ndarray:
        """Whether ``x`` lies in the piece's interval (element-wise)."""
        x = np.asarray(x, dtype=float)
        above = x >= self.lower if self.lower_included else x > self.lower
        below = x <= self.upper if self.upper_included else x < self.upper
        return above & below


@functools.lru_cache(maxsize=256)
def _joints(pieces: tuple[LinearPiece, ...]) -> tuple[np.ndarray, np.ndarray] | None:
    """For pieces that follow one another without gaps: the inner ends and whether each belongs to
    the piece on its left; None for any other layout."""
    for left, right in zip(pieces, pieces[1:]):
        if left.upper != right.lower or not (left.upper_included or right.lower_included):
            return None
    return np.array([piece.upper for piece in pieces[:-1]], dtype=float), np.array([piece.upper_included for piece in pieces[:-1]])


def _defining_piece(pieces: Sequence[LinearPiece], points: np.ndarray) -> np.ndarray:
    """Element-wise, the index of the first piece containing each point (-1 where none does)."""
    pieces = tuple(pieces)
    joints = _joints(pieces) if pieces else None
    if joints is None:
        index = np.full(points.shape, -1)
        for position, piece in enumerate(pieces):
            index = np.where((index < 0) & piece.contains(points), position, index)
        return index
    ends, left_owns = joints
    index = np.zeros(points.shape, dtype=int)
    for end, owned in zip(ends, left_owns):
        index += (points > end) if owned else (points >= end)
    inside = pieces[0].contains(points) | (points > pieces[0].lower)
    inside &= pieces[-1].contains(points) | (points < pieces[-1].upper)
    return np.where(inside, index, -1)


def evaluate(pieces: Sequence[LinearPiece], x: npt.ArrayLike) -> np.ndarray:
    """The function at ``x`` (element-wise); the first piece containing a point defines it.

    Raises
    ------
    ValueError
        For a point outside every piece.
    """
    points = np.asarray(x, dtype=float)
    index = _defining_piece(pieces, points)
    slope = np.array([piece.slope for piece in pieces] + [np.nan])
    intercept = np.array([piece.intercept for piece in pieces] + [np.nan])
    result = slope[index] * points + intercept[index]
    if np.any(np.isnan(result) & ~np.isnan(points)):
        raise ValueError("a value lies outside the function's domain")
    return result if result.ndim else result[()]


def capped(pieces: Sequence[LinearPiece], cap: float) -> tuple[LinearPiece, ...]:
    """``min(cap, f)`` for a continuous, non-decreasing ``f`` given by ``pieces``."""
    result: list[LinearPiece] = []
    for piece in pieces:
        start, end = piece.value(piece.lower), piece.value(piece.upper)
        if start >= cap:
            result.append(LinearPiece(piece.lower, piece.upper, piece.lower_included, piece.upper_included, 0.0, cap))
        elif end <= cap or piece.slope <= 0:
            result.append(piece)
        else:
            crossing = (cap - piece.intercept) / piece.slope
            result.append(LinearPiece(piece.lower, crossing, piece.lower_included, False, piece.slope, piece.intercept))
            result.append(LinearPiece(crossing, piece.upper, True, piece.upper_included, 0.0, cap))
    return _merged(result)


def _merged(pieces: list[LinearPiece]) -> tuple[LinearPiece, ...]:
    """Join neighbouring pieces on the same line."""
    merged: list[LinearPiece] = []
    for piece in pieces:
        if piece.upper == piece.lower and not (piece.lower_included and piece.upper_included):
            continue
        if merged:
            last = merged[-1]
            same_line = np.isclose(last.slope, piece.slope) and np.isclose(last.value(piece.lower), piece.value(piece.lower))
            if same_line and last.upper == piece.lower and (last.upper_included or piece.lower_included):
                merged[-1] = LinearPiece(last.lower, piece.upper, last.lower_included, piece.upper_included, last.slope, last.intercept)
                continue
        merged.append(piece)
    return tuple(merged)


def slopes(pieces: Sequence[LinearPiece], x: npt.ArrayLike) -> np.ndarray:
    """The slope of the piece that defines the function at ``x`` (element-wise): a supergradient
    of a concave function, the derivative elsewhere."""
    points = np.asarray(x, dtype=float)
    result = np.array([piece.slope for piece in pieces] + [np.nan])[_defining_piece(pieces, points)]
    if np.any(np.isnan(result) & ~np.isnan(points)):
        raise ValueError("a value lies outside the function's domain")
    return result
