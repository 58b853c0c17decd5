"""From this year to next: persistence toward the national distribution, bad years, volume, completeness.

Each function works on arrays of draws; the random numbers come in as arguments, so the caller
decides which are shared by a practice's measures (the shared part of the change, the volume) and
which are a measure's own.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logit, ndtr, ndtri

POSITION_LIMIT = 1e-12
"""Positions are kept this far inside (0, 1) so that their normal scores are finite."""


def next_positions(
    positions: np.ndarray, persistence: float, drift: float, shared: np.ndarray, own: np.ndarray, shared_change: float
) -> np.ndarray:
    """Next year's positions (quantile levels) in the national distribution.

    The position's normal score z moves to ``persistence · z + drift · e``, with
    e = √shared_change · shared + √(1 − shared_change) · own standard normal: a Gaussian copula (an
    AR(1) step on the normal-score scale). ``persistence`` < 1 pulls every position toward the national
    median (regression toward the national distribution); ``drift`` is the year-to-year change. With
    drift² = 1 − persistence² the national distribution is stationary; a smaller drift lets a
    practice's rate move less than its rank would suggest on widely spread measures.
    """
    score = ndtri(np.clip(positions, POSITION_LIMIT, 1 - POSITION_LIMIT))
    change = np.sqrt(shared_change) * shared + np.sqrt(1 - shared_change) * own
    return ndtr(persistence * score + drift * change)


def drifted_rates(rates: np.ndarray, drift: float, shared: np.ndarray, own: np.ndarray, shared_change: float) -> np.ndarray:
    """Rates moved by a normal drift of standard deviation ``drift`` on the logit scale (the fallback's step)."""
    if drift <= 0:
        return rates
    change = np.sqrt(shared_change) * shared + np.sqrt(1 - shared_change) * own
    return expit(logit(np.clip(rates, 1e-9, 1 - 1e-9)) + drift * change)


def with_bad_years(rates: np.ndarray, is_inverse: bool, uniforms: np.ndarray, probability: float, loss: float) -> np.ndarray:
    """Rates [0–1] after a possible bad year (staff or EHR change): with ``probability`` the rate, read
    as 'better is larger' (1 − rate for an inverse measure), loses a share U(0, 2·loss) of itself
    (``loss`` on average). ``uniforms`` (2, draws): whether, and how much."""
    happens = uniforms[0] < probability
    kept = 1 - np.where(happens, 2 * loss * uniforms[1], 0.0)
    return 1 - (1 - rates) * kept if is_inverse else rates * kept


def volume_multipliers(normals: np.ndarray, spread: float) -> np.ndarray:
    """Lognormal multipliers of next year's case volume with mean 1 and log standard deviation ``spread``."""
    return np.exp(spread * normals - spread**2 / 2)


def next_completeness(completeness_percent: float, normals: np.ndarray, spread: float) -> np.ndarray:
    """Next year's data completeness [percent]: this year's moved by N(0, spread) on the logit scale
    (0% and 100% stay where they are: a table given as numerator and denominator is complete)."""
    share = completeness_percent / 100
    if spread <= 0 or share <= 0 or share >= 1:
        return np.full(normals.shape, completeness_percent)
    return 100 * expit(logit(share) + spread * normals)
