"""Calibration: does the forecast deserve its probabilities? Made-up practices, their true next year drawn
from generative models that are not the forecast, planned with the tool and scored by the rules.

The practices (made up, on the real 2026 benchmarks). Each has 8–20 measures of CMS's family and
internal medicine sets, in every collection type of the measure that has a 2026 benchmark (eCQM,
MIPS CQM; Medicare Part B claims for practices of 15 or fewer clinicians), 3–40 clinicians, a cost
score of 30–85 and a Promoting Interoperability score of 50–100 (both taken as given: the forecast
models quality only), two improvement activities. The practice's TRUE rate of a row is placed in the
row's national distribution at a position z = √0.3·Q + √0.7·e (Q the practice's quality, e the
measure's; standard normal), so good practices are good on most measures. This year's counts are
binomial on the true rate; eligible populations are lognormal (median 30 per clinician); data
completeness is 90–100% on most rows, 76–90% on a quarter, below 75% on one in twenty.

The generator reads a benchmark row as a distribution differently from the forecast: a monotone
cubic (PCHIP) quantile function through (0, 0), (1%, p1) … (99%, p99), (100%, 100), with the point
mass at 0% or 100% in the middle of the range the percentiles allow (p50…p99 = 100 and p40 < 100: a
mass of 0.55 at 100%). Rows whose percentiles are not a distribution (flat and defined topped-out
benchmarks) use a logit-normal around the row's national average rate (logit sd 1.0).

Generative model A, "mean reversion": each practice has its own persistence φ ~ Beta(8, 2) (mean 0.8);
next year's logit rate = m + φ·(logit rate − m) + N(0, 0.25²), m the logit of the row's national
average rate; a rate at exactly 100% (0% for an inverse measure) stays there with probability φ,
otherwise it falls to 99.5% and moves by the same rule; each measure has a bad year (staff or EHR
change) with probability 0.04: its rate, read as 'better is larger', is multiplied by U(0.5, 0.9);
volumes change by a practice-wide lognormal factor (σ 0.15) times a measure's own (σ 0.10), then
Poisson; next year's data completeness is this year's + N(0, 0.03²).

Generative model B, "heavy tails, correlated": persistence 0.7 for every practice; measure shocks
0.25·t₃ and a practice-wide shock 0.3·t₃ shared by all its measures (in the 'better' direction);
perfect rows stay perfect with probability 0.9; one practice in ten has a disrupted year (every measure
has a bad year with probability 0.3, rate × U(0.4, 0.9)), otherwise each measure with probability 0.03;
a data completeness miss on a row with probability 0.06 (completeness falls by U(5, 30) points),
otherwise ± N(0, 0.02²); volumes change by a practice-wide gamma factor (shape 10) times a measure's own
(shape 25), then Poisson.

Each practice is planned once (traditional MIPS, expected payment, --draws draws, the forecast's default
settings), deterministically (draws = 0), and by the hand method (the six best point estimates, each in
its best collection type, the sixth swapped for the best outcome/high-priority measure when none of the
six is one; perf/family_medicine.py), then --years next years are drawn per practice and model and every
selection is scored on them by the rules. It prints, per model: coverage of the 80% final-score interval,
P(≥ 75) calibration (binned; ECE = Σ share of bin × |predicted − realized|), bias of the expected final
score, predicted against realized P(scored) of the chosen measures, and the realized dollar gain of the
plan over the hand method and over the deterministic plan (mean and median over practices of each
practice's mean over its years), with CPU seconds. Everything is seeded (--seed).

    python perf/calibration.py --data-dir ~/.cache/mips-optimizer [--practices 300] [--years 50] [--fast]
    python perf/calibration.py --from ../shared/cms/qpp-measures-data --fast
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.interpolate import PchipInterpolator
from scipy.special import expit, logit
from scipy.stats import norm

from optimizer.catalog import fetch_year, read_catalog
from optimizer.collection_types import ECQM, MEDICARE_PART_B_CLAIMS, MIPS_CQM
from optimizer.forecast import NOT_SCORED, Forecast
from optimizer.inputs.loading import load_scenario
from optimizer.inputs.scenario import with_optimize_overrides
from optimizer.planning.plan import evaluate_selection, plan_scenario
from optimizer.planning.resolve import resolve
from optimizer.rules.measure_points import PERCENTILE_KEYS
from optimizer.rules.parameters import TRADITIONAL

sys.path.insert(0, str(Path(__file__).resolve().parent))
from family_medicine import hand_selection  # noqa: E402  (a sibling perf script)

LEVELS = np.array([0, 1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99, 100], dtype=float) / 100
REPORTABLE = (ECQM, MIPS_CQM, MEDICARE_PART_B_CLAIMS)
ACTIVITIES = ("IA_BE_6", "IA_PSPA_28")
PRACTICE = """performance_year = 2026
[practice]
name = "Calibration practice {index}"
clinicians = {clinicians}
medicare_part_b_allowed = {allowed}
cehrt = true
baseline = "practice-{index}.csv"
[quality]
[cost]
score = {cost}
[promoting_interoperability]
score = {pi}
[improvement_activities]
available = {activities}
[optimize]
objective = "expected_payment"
pathways = ["traditional"]
draws = {draws}
seed = {seed}
{forecast}"""


# --- the generator's reading of a benchmark row ------------------------------------------------


@dataclass(frozen=True)
class National:
    """The generator's national distribution of one row's true rate [0–1]: a quantile function."""

    quantile: PchipInterpolator | None
    average: float
    is_inverse: bool

    def rate(self, position: np.ndarray) -> np.ndarray:
        """The rate at quantile ``position`` (0–1) of raw rate."""
        if self.quantile is None:
            return expit(logit(np.clip(self.average, 0.02, 0.98)) + 1.0 * norm.ppf(np.clip(position, 1e-9, 1 - 1e-9)))
        return np.clip(self.quantile(position), 0.0, 1.0)

    @property
    def center(self) -> float:
        """The logit of the national average rate (the mean-reversion target)."""
        return float(logit(np.clip(self.average, 0.02, 0.98)))


def national_of(row: pd.Series) -> National:
    """PCHIP through the percentiles, atoms at 0/100 in the middle of what the percentiles allow."""
    average = float(row["average_performance_rate"]) / 100 if pd.notna(row["average_performance_rate"]) else 0.7
    if bool(row["is_flat"]) or bool(row["is_defined_topped_out"]):
        return National(None, average, bool(row["is_inverse"]))
    values = np.array([0.0] + [float(row[key]) for key in PERCENTILE_KEYS] + [100.0]) / 100
    levels = LEVELS.copy()
    keep = np.isfinite(values)
    levels, values = levels[keep], values[keep]
    top = np.flatnonzero(values >= 1.0)
    if len(top) and top[0] > 0 and top[0] < len(values) - 1:  # a mass at 100%: first 100 at the midpoint level
        levels[top[0]] = (levels[top[0]] + levels[top[0] - 1]) / 2
    bottom = np.flatnonzero(values <= 0.0)
    if len(bottom) > 1 and bottom[-1] < len(values) - 1 and bottom[-1] > 0:  # a mass at 0%: last 0 at the midpoint level
        levels[bottom[-1]] = (levels[bottom[-1]] + levels[bottom[-1] + 1]) / 2
    levels, unique = np.unique(levels, return_index=True)
    values = np.maximum.accumulate(values[unique])
    return National(PchipInterpolator(levels, values), average, bool(row["is_inverse"]))


# --- practices ----------------------------------------------------------------------------------


@dataclass
class Practice:
    """A made-up practice: its settings, baseline rows and the generator's truth behind them."""

    index: int
    clinicians: int
    allowed: float
    cost: float
    pi: float
    rows: pd.DataFrame
    truth: pd.DataFrame  # per row: rate, eligible, completeness, national
    plan: dict = field(default_factory=dict)


def measure_pool(catalog) -> dict[str, list[tuple[str, pd.Series]]]:
    """Family and internal medicine measures with a 2026 benchmark row per reportable collection type."""
    measures = catalog.quality_measures
    in_sets = measures[measures["measure_sets"].apply(lambda sets: "familyMedicine" in sets or "internalMedicine" in sets)]
    pool = {}
    for measure in in_sets.itertuples():
        if not measure.is_traditional_mips or str(measure.measure_id).endswith("SSP"):
            continue
        rows = [(kind, catalog.benchmark(measure.measure_id, kind)) for kind in measure.collection_types if kind in REPORTABLE]
        rows = [(kind, row) for kind, row in rows if row is not None]
        if rows:
            pool[str(measure.measure_id)] = rows
    return pool


def make_practice(index: int, pool: dict, rng: np.random.Generator) -> Practice:
    """Draw one practice (see the module docstring)."""
    clinicians = int(rng.choice([3, 5, 8, 12, 15, 20, 30, 40]))
    quality = rng.normal()
    chosen = rng.choice(sorted(pool), size=int(rng.integers(8, 21)), replace=False)
    rows, truth = [], []
    for measure_id in chosen:
        own = rng.normal()
        position = norm.cdf(np.sqrt(0.3) * quality + np.sqrt(0.7) * own)
        population = float(np.clip(clinicians * rng.lognormal(np.log(30), 1.0), 5, 8000))
        for kind, benchmark in pool[measure_id]:
            if kind == MEDICARE_PART_B_CLAIMS and clinicians > 15:
                continue
            national = national_of(benchmark)
            raw_position = 1 - position if national.is_inverse else position
            rate = float(national.rate(np.array([np.clip(raw_position + rng.normal(0, 0.03), 0, 1)]))[0])
            eligible = int(max(3, round(population * (0.4 if kind == MEDICARE_PART_B_CLAIMS else 1.0))))
            band = rng.random()
            completeness = rng.uniform(0.9, 1.0) if band < 0.7 else rng.uniform(0.76, 0.9) if band < 0.95 else rng.uniform(0.6, 0.75)
            reported = int(round(eligible * completeness))
            exclusions = int(rng.binomial(reported, 0.02))
            cases = reported - exclusions
            met = int(rng.binomial(cases, rate))
            rows.append({"measure_id": measure_id, "collection_type": kind, "eligible_population": eligible,
                         "performance_met": met, "performance_not_met": cases - met, "exclusions": exclusions, "exceptions": 0})
            truth.append({"key": (measure_id, kind), "rate": rate, "eligible": eligible, "completeness": completeness,
                          "exclusion_share": 0.02, "national": national})
    return Practice(index, clinicians, float(np.round(rng.lognormal(np.log(1.2e6), 0.6), -3)), float(np.round(rng.uniform(30, 85), 1)),
                    float(np.round(rng.uniform(50, 100), 1)), pd.DataFrame(rows), pd.DataFrame(truth))


def write_practice(folder: Path, practice: Practice, draws: int, seed: int, forecast: list[str]) -> Path:
    """The practice's scenario TOML and baseline CSV (``forecast``: lines of a ``[forecast]`` table)."""
    practice.rows.to_csv(folder / f"practice-{practice.index}.csv", index=False)
    path = folder / f"practice-{practice.index}.toml"
    activities = "[" + ", ".join(f'"{a}"' for a in ACTIVITIES) + "]"
    path.write_text(PRACTICE.format(index=practice.index, clinicians=practice.clinicians, allowed=practice.allowed, cost=practice.cost,
                                    pi=practice.pi, activities=activities, draws=draws, seed=seed,
                                    forecast="[forecast]\n" + "\n".join(forecast) + "\n" if forecast else ""))
    return path


# --- the generative models of next year ---------------------------------------------------------


def _better(rate: np.ndarray, inverse: bool) -> np.ndarray:
    return 1 - rate if inverse else rate


def next_years(model: str, practice: Practice, rng: np.random.Generator, years: int) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per row: next year's reported rate [percent], cases and data completeness [percent], (years,) each."""
    heavy = model == "B"
    if heavy:
        persistence = np.full(years, 0.7)
        practice_shock = 0.3 * rng.standard_t(3, years)
        disrupted = rng.random(years) < 0.1
        volume = rng.gamma(10, 1 / 10, years)
    else:
        persistence = np.full(years, rng.beta(8, 2))
        practice_shock = np.zeros(years)
        disrupted = np.zeros(years, dtype=bool)
        volume = rng.lognormal(-0.15**2 / 2, 0.15, years)
    stay_perfect = 0.9 if heavy else persistence
    results = {}
    measure_shocks: dict[str, np.ndarray] = {}
    for truth in practice.truth.itertuples():
        national: National = truth.national
        inverse = national.is_inverse
        rate = np.full(years, truth.rate)
        perfect = _better(rate, inverse) >= 1.0
        shock = measure_shocks.setdefault(truth.key[0], 0.25 * (rng.standard_t(3, years) if heavy else rng.normal(size=years)))
        start = np.where(perfect, logit(_better(np.full(years, 0.995), inverse)), logit(np.clip(rate, 1e-6, 1 - 1e-6)))
        signed_practice_shock = -practice_shock if inverse else practice_shock
        moved = expit(national.center + persistence * (start - national.center) + shock + signed_practice_shock)
        keeps = perfect & (rng.random(years) < stay_perfect)
        new = np.where(keeps, rate, moved)
        bad_probability = np.where(disrupted, 0.3, 0.03) if heavy else np.full(years, 0.04)
        bad = rng.random(years) < bad_probability
        factor = rng.uniform(0.4, 0.9, years) if heavy else rng.uniform(0.5, 0.9, years)
        better = np.where(bad, _better(new, inverse) * factor, _better(new, inverse))
        new = _better(better, inverse)
        measure_volume = rng.gamma(25, 1 / 25, years) if heavy else rng.lognormal(-0.1**2 / 2, 0.1, years)
        eligible = rng.poisson(truth.eligible * volume * measure_volume)
        if heavy:
            miss = rng.random(years) < 0.06
            completeness = np.where(miss, truth.completeness - rng.uniform(0.05, 0.30, years), truth.completeness + rng.normal(0, 0.02, years))
        else:
            completeness = truth.completeness + rng.normal(0, 0.03, years)
        completeness = np.clip(completeness, 0.0, 1.0)
        reported = rng.binomial(eligible, completeness)
        cases = reported - rng.binomial(reported, truth.exclusion_share)
        met = rng.binomial(cases, np.clip(new, 0, 1))
        with np.errstate(invalid="ignore", divide="ignore"):
            rates = np.where(cases > 0, 100.0 * met / cases, np.nan)
            shown_completeness = np.where(eligible > 0, 100.0 * reported / eligible, 0.0)
        results[truth.key] = (rates, cases.astype(float), shown_completeness)
    return results


def realized_forecast(forecast: Forecast, outcomes: dict, scenario) -> Forecast:
    """The realized years as a forecast-shaped table, points by the rules (``Candidate.points``)."""
    columns = []
    for candidate in forecast.candidates:
        rates, cases, completeness = outcomes[candidate.key]
        points, outcome = candidate.points(rates, cases, completeness, small_practice=scenario.small_practice, policy=scenario.policy)
        columns.append((points, rates, cases, ~np.isin(outcome, NOT_SCORED)))
    points, rates, cases, scored = (np.column_stack([column[i] for column in columns]).astype(float if i < 3 else bool) for i in range(4))
    return Forecast(forecast.candidates, points, rates, cases, scored, forecast.settings)


# --- planning and scoring -----------------------------------------------------------------------


def plan_practice(practice: Practice, folder: Path, data_dir: Path, draws: int, seed: int, forecast_table: list[str]) -> None:
    """Plan the practice (draws, deterministic, hand) and keep what the metrics need."""
    scenario, catalog = load_scenario(write_practice(folder, practice, draws, seed, forecast_table), data_dir)
    run = plan_scenario(scenario, catalog)
    deterministic = plan_scenario(with_optimize_overrides(scenario, {"draws": 0}), catalog).recommended.outlook
    hand_keys = hand_selection(scenario, catalog)
    forecast = run.forecast
    resolved = resolve(scenario)
    hand = evaluate_selection(resolved, catalog, TRADITIONAL, hand_keys, list(ACTIVITIES), forecast.candidates, forecast).outlook
    outlook = run.recommended.outlook
    practice.plan = {
        "scenario": scenario, "resolved": resolved, "catalog": catalog, "forecast": forecast,
        "selections": {
            "plan": ([c.key for c in outlook.selected], list(outlook.activities)),
            "deterministic": ([c.key for c in deterministic.selected], list(deterministic.activities)),
            "hand": (hand_keys, list(ACTIVITIES)),
        },
        "interval": outlook.final_score_interval(0.8), "expected": outlook.expected_final_score,
        "draws": np.sort(outlook.final_scores),
        "p75": outlook.probability_at_or_above(75.0),
        "scored": [m.probability_scored for m in outlook.measures],
        "predicted_gain_hand": outlook.expected_payment_dollars() - hand.expected_payment_dollars(),
        "stays_best": None if getattr(run, "pessimistic_check", None) is None else run.pessimistic_check.stays_best,
    }


def score_years(practice: Practice, model: str, years: int, seed: int) -> dict:
    """Realized final scores and dollars of the three selections over ``years`` next years."""
    plan = practice.plan
    rng = np.random.default_rng([seed, practice.index, ord(model)])
    realized = realized_forecast(plan["forecast"], next_years(model, practice, rng, years), plan["scenario"])
    result = {}
    for name, (keys, activities) in plan["selections"].items():
        outlook = evaluate_selection(plan["resolved"], plan["catalog"], TRADITIONAL, keys, activities, realized.candidates, realized).outlook
        result[name] = (outlook.final_scores, np.asarray(outlook.score.payment_dollars["default"], dtype=float))
        if name == "plan":
            result["scored"] = realized.scored[:, [realized.column(key) for key in keys]].mean(axis=0)
    return result


def calibration_table(predicted: np.ndarray, realized: np.ndarray, edges: np.ndarray) -> tuple[list[tuple[str, int, float, float]], float]:
    """Bins of predicted probability: (label, outcomes, mean predicted, realized share); and the ECE."""
    rows, error = [], 0.0
    which = np.clip(np.searchsorted(edges, predicted, side="right") - 1, 0, len(edges) - 2)
    for b in range(len(edges) - 1):
        inside = which == b
        if not inside.any():
            continue
        mean_predicted, share = float(predicted[inside].mean()), float(realized[inside].mean())
        rows.append((f"{edges[b]:.2f}–{edges[b + 1]:.2f}", int(inside.sum()), mean_predicted, share))
        error += inside.mean() * abs(mean_predicted - share)
    return rows, float(error)


def randomized_pit(practices: list[Practice], outcomes: list[dict], rng: np.random.Generator) -> np.ndarray:
    """Where each realized score falls in its forecast's distribution, ties broken at random: uniform on
    [0, 1] when the forecast is calibrated, even where its scores repeat (discrete forecasts)."""
    values = []
    for practice, outcome in zip(practices, outcomes, strict=True):
        draws, final = practice.plan["draws"], outcome["plan"][0]
        below = np.searchsorted(draws, final - 1e-9, side="left") / len(draws)
        at_most = np.searchsorted(draws, final + 1e-9, side="right") / len(draws)
        values.append(below + rng.random(len(final)) * (at_most - below))
    return np.concatenate(values)


def report(model: str, practices: list[Practice], outcomes: list[dict], years: int) -> dict:
    """Print one model's figures; return the headline numbers."""
    low = np.repeat([p.plan["interval"][0] for p in practices], years)
    high = np.repeat([p.plan["interval"][1] for p in practices], years)
    expected = np.repeat([p.plan["expected"] for p in practices], years)
    predicted = np.repeat([p.plan["p75"] for p in practices], years)
    final = np.concatenate([o["plan"][0] for o in outcomes])
    inside = ((final >= low) & (final <= high)).mean()
    below, above = (final < low).mean(), (final > high).mean()
    ties = ((np.abs(final - low) < 1e-9) | (np.abs(final - high) < 1e-9)).mean()
    pit = randomized_pit(practices, outcomes, np.random.default_rng(0))
    pit_inside = ((pit >= 0.1) & (pit <= 0.9)).mean()
    edges = np.array([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.98, 1.0000001])
    table, ece = calibration_table(predicted, (final >= 75).astype(float), edges)
    scored_predicted = np.mean(np.concatenate([p.plan["scored"] for p in practices]))
    scored_realized = np.mean(np.concatenate([o["scored"] for o in outcomes]))
    gains = {}
    for other in ("hand", "deterministic"):
        per_practice = np.array([np.mean(o["plan"][1] - o[other][1]) for o in outcomes])
        gains[other] = (float(per_practice.mean()), float(np.median(per_practice)), float((per_practice > 0).mean()), float((per_practice < 0).mean()),
                        float(per_practice.std(ddof=1) / np.sqrt(len(per_practice))))
    predicted_gain = np.array([p.plan["predicted_gain_hand"] for p in practices])
    print(f"\nModel {model}: {len(practices)} practices × {years} years = {len(final):,} outcomes")
    print(f"  80% interval: {inside:.1%} inside (target 75–85%), {below:.1%} below, {above:.1%} above; "
          f"{ties:.1%} exactly on an end (the forecast's scores repeat); randomized PIT in [0.1, 0.9]: {pit_inside:.1%}")
    print(f"  bias of the expected final score (realized − expected): {float(np.mean(final - expected)):+.2f} points (target within ±0.5)")
    forecast_spread = np.mean([np.std(p.plan["draws"]) for p in practices])
    realized_spread = np.mean([np.std(o["plan"][0]) for o in outcomes])
    error = np.sqrt(np.mean([(np.mean(o["plan"][0]) - p.plan["expected"]) ** 2 for p, o in zip(practices, outcomes, strict=True)]))
    print(f"  spread of the final score: forecast sd {forecast_spread:.2f}; realized sd over a practice's years {realized_spread:.2f}, "
          f"root mean square error of the expected score against the practice's realized mean {error:.2f}")
    print(f"  P(≥ 75): expected calibration error {ece:.3f} (target ≤ 0.05)")
    print(f"    {'predicted':>11} {'outcomes':>9} {'mean predicted':>15} {'realized':>9}")
    for label, count, mean_predicted, share in table:
        print(f"    {label:>11} {count:9,d} {mean_predicted:15.3f} {share:9.3f}")
    print(f"  P(scored) of the chosen measures: predicted {scored_predicted:.3f}, realized {scored_realized:.3f}")
    print(f"  predicted gain over the hand method: mean {predicted_gain.mean():,.0f}, median {np.median(predicted_gain):,.0f} $ a year")
    for other, (mean, median, better, worse, error) in gains.items():
        print(f"  realized gain over the {other} selection: mean {mean:,.0f} (standard error {error:,.0f}), median {median:,.1f} $ a year "
              f"(plan better for {better:.0%} of practices, worse for {worse:.0%})")
    return {"coverage": inside, "ece": ece, "bias": float(np.mean(final - expected)), "gain_hand": gains["hand"][:2], "gain_deterministic": gains["deterministic"][:2]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None, help="a data folder holding the 2026 CMS files")
    parser.add_argument("--from", dest="source", default=None, help="import the 2026 files from this copy of qpp-measures-data into a temporary folder")
    parser.add_argument("--practices", type=int, default=500)
    parser.add_argument("--years", type=int, default=40, help="next years drawn per practice and model")
    parser.add_argument("--draws", type=int, default=1000, help="forecast draws of each plan")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fast", action="store_true", help="40 practices × 20 years, 500 draws")
    parser.add_argument("--set", dest="forecast", action="append", default=[], metavar="KEY=VALUE",
                        help="a [forecast] setting of every practice (repeatable), e.g. --set persistence=0.9")
    args = parser.parse_args()
    if args.fast:
        args.practices, args.years, args.draws = 40, 20, 500
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        data_dir = args.data_dir
        if args.source is not None:
            data_dir = folder / "data"
            fetch_year(2026, source=args.source, data_dir=data_dir)
        catalog = read_catalog(2026, data_dir=data_dir)
        pool = measure_pool(catalog)
        rng = np.random.default_rng(args.seed)
        practices = [make_practice(index, pool, rng) for index in range(args.practices)]
        print(f"{args.practices} practices ({sum(len(p.rows) for p in practices):,} baseline rows, measures from {len(pool)} "
              f"family/internal medicine measures), {args.years} next years per practice and model, {args.draws:,} draws, seed {args.seed}"
              + (f"; [forecast] {', '.join(args.forecast)}" if args.forecast else "; the forecast's default settings"))
        started = time.process_time()
        for practice in practices:
            plan_practice(practice, folder, data_dir, args.draws, args.seed, args.forecast)
        planning = time.process_time() - started
        print(f"planning (forecast, deterministic and hand): {planning:.1f} CPU s ({planning / args.practices:.2f} per practice)")
        checked = [p.plan["stays_best"] for p in practices if p.plan["stays_best"] is not None]
        if checked:
            print(f"the recommendation stays best on the pessimistic forecast for {np.mean(checked):.0%} of the practices")
        summary = {}
        for model in ("A", "B"):
            started = time.process_time()
            outcomes = [score_years(practice, model, args.years, args.seed) for practice in practices]
            summary[model] = report(model, practices, outcomes, args.years)
            print(f"  scoring the years: {time.process_time() - started:.1f} CPU s")
        print("\nSummary         coverage  ECE    bias    gain/hand mean, median    gain/deterministic mean, median")
        for model, row in summary.items():
            print(f"  model {model}        {row['coverage']:6.1%}  {row['ece']:.3f}  {row['bias']:+.2f}   "
                  f"{row['gain_hand'][0]:9,.0f} {row['gain_hand'][1]:9,.0f}         {row['gain_deterministic'][0]:9,.0f} {row['gain_deterministic'][1]:9,.0f}")


if __name__ == "__main__":
    main()
