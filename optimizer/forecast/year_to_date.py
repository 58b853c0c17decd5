"""This year's rate when part of it has been seen (mid-year swaps): last year's counts and this year's so far.

Last year's counts give the posterior of last year's position in the national distribution
(:func:`optimizer.forecast.prior.posterior_grid`); one year-to-year step (persistence, drift) gives the
prior of this year's position, computed on a grid of :data:`LEVELS` quantile levels; the planned change
and a possible bad year (a loss U(0, 2 × loss), on :data:`LOSSES` points) give this year's rate; the
counts seen so far (binomial likelihood) update it. The draws come from that posterior exactly (up to
the grids), so counts that contradict last year (a measure falling from 80% to 50%) win as they should.
The change a practice's measures share is not inferred from the other measures' counts here.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri, xlogy

from optimizer.forecast.prior import NationalPrior, posterior_grid
from optimizer.forecast.settings import ForecastSettings

LEVELS = 2000
"""Cells of this year's position grid over [0, 1] (0.05 percentile points each)."""

LOSSES = 16
"""Quadrature points of a bad year's loss."""

MINIMUM_DRIFT = 0.02
"""The step's drift is at least this (a zero drift would make this year's positions a set of points)."""

SUBDIVISION = 0.01
"""Last year's posterior cells are cut into pieces at most this wide in level before the step."""


def _last_year_scores(prior: NationalPrior, met: float, cases: float) -> tuple[np.ndarray, np.ndarray]:
    """Normal scores of last year's position and their probabilities (negligible cells dropped)."""
    _, probability, low, high = posterior_grid(prior, met, cases)
    keep = probability > 1e-12 * probability.max()
    probability, low, high = probability[keep], low[keep], high[keep]
    pieces = np.clip(np.ceil((high - low) / SUBDIVISION).astype(int), 1, None)
    cell = np.repeat(np.arange(len(pieces)), pieces)
    offset = np.arange(cell.size) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    levels = low[cell] + (high - low)[cell] * (offset + 0.5) / pieces[cell]
    return ndtri(np.clip(levels, 1e-12, 1 - 1e-12)), probability[cell] / pieces[cell]


def draw_this_year(
    prior: NationalPrior,
    baseline: tuple[float, float],
    seen: tuple[float, float],
    step: tuple[float, float],
    settings: ForecastSettings,
    change: float,
    is_inverse: bool,
    stream: np.random.Generator,
    size: int,
) -> np.ndarray:
    """This year's true rate [0–1] per draw given last year's (met, cases), this year's so far, and the
    year-to-year step (persistence, drift on the normal-score scale); bad years from ``settings``."""
    persistence, drift = step
    scores, weights = _last_year_scores(prior, *baseline)
    edges = np.linspace(0.0, 1.0, LEVELS + 1)
    middle = (edges[:-1] + edges[1:]) / 2
    now = ndtri(middle)
    drift = max(drift, MINIMUM_DRIFT)
    # density of this year's level: Σ weight · φ((z − ρ z_last) / drift) / drift / φ(z)
    exponent = -0.5 * ((now[:, None] - persistence * scores[None, :]) / drift) ** 2 + 0.5 * now[:, None] ** 2
    log_level = np.log(np.maximum(np.exp(exponent - exponent.max()) @ weights, 1e-300)) + exponent.max()
    rates = np.clip(prior.rate_at(middle) + change, 0.0, 1.0)
    losses = 2 * settings.bad_year_loss * (np.arange(LOSSES) + 0.5) / LOSSES
    kept = 1 - losses[None, :]
    bad_rates = 1 - (1 - rates[:, None]) * kept if is_inverse else rates[:, None] * kept
    all_rates = np.column_stack([rates, bad_rates])  # (levels, 1 + losses): no bad year, then each loss
    state_weight = np.concatenate([[1 - settings.bad_year_probability], np.full(LOSSES, settings.bad_year_probability / LOSSES)])
    met, cases = seen
    with np.errstate(divide="ignore"):
        log_joint = log_level[:, None] + np.log(state_weight)[None, :] + xlogy(met, all_rates) + xlogy(cases - met, 1 - all_rates)
    joint = np.exp(log_joint - log_joint.max()).ravel()
    cumulative = np.cumsum(joint)
    chosen = np.minimum(np.searchsorted(cumulative, stream.random(size) * cumulative[-1], side="right"), joint.size - 1)
    level, state = np.divmod(chosen, LOSSES + 1)
    positions = edges[level] + stream.random(size) / LEVELS
    drawn = np.clip(prior.rate_at(positions) + change, 0.0, 1.0)
    loss = np.where(state > 0, 2 * settings.bad_year_loss * (state - 1 + stream.random(size)) / LOSSES, 0.0)
    return 1 - (1 - drawn) * (1 - loss) if is_inverse else drawn * (1 - loss)
