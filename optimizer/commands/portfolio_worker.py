"""Plan one practice of a portfolio, in a worker process (the local pool's or a Dask worker's).

It lives with the commands because it renders the practice's report (planning does not import the
report layer): ``mips-optimizer portfolio`` hands :func:`plan_practice` to
:func:`optimizer.planning.portfolio.run_portfolio`.

:func:`plan_practice` does what ``mips-optimizer plan FILE --format F --no-quality-work`` does (without
``--no-quality-work`` under ``portfolio --quality-work``) — read and check the scenario, plan it, score
the current selection on the same draws, render the report with its provenance (dated by
``SOURCE_DATE_EPOCH``, else today) — and adds the practice's summary row
and the hash of its inputs. It never raises for a practice's
own problem: a known error is its failure row with the one-line reason, an unexpected one too (so
one bad practice cannot stop a portfolio). The year's catalog is read once per process
(:func:`optimizer.catalog.read_catalog` memoises it), so a worker pays for it on its first practice.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

from optimizer.errors import InputWarning, MipsError
from optimizer.inputs.loading import input_files, load_scenario
from optimizer.inputs.scenario import with_optimize_overrides
from optimizer.planning.care_gaps import value_quality_work
from optimizer.planning.compare import one_line
from optimizer.planning.current_selection import current_selection, payment_gain_dollars
from optimizer.planning.plan import plan_scenario
from optimizer.planning.tasks import PracticeResult, PracticeTask, failed_row, input_hash
from optimizer.report.plan_report import outlook_to_dict, plan_to_dict
from optimizer.report.portfolio_report import practice_row
from optimizer.report.provenance import provenance, report_date, with_provenance
from optimizer.report.rendering import render_document


def plan_practice(task: PracticeTask) -> PracticeResult:
    """Plan the task's practice; its result holds the report, or the failure row saying why not."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputWarning)
        try:
            result = _planned(task)
        except MipsError as error:
            result = PracticeResult(task.name, failed_row(task, one_line(error)), None)
        except Exception as error:  # noqa: BLE001 - one practice's bug must not stop the portfolio
            reason = (
                f"unexpected error ({type(error).__name__}: {error}); "
                f"`mips-optimizer --debug plan {task.shown}` shows its traceback"
            )
            result = PracticeResult(task.name, failed_row(task, reason), None)
    said = tuple(dict.fromkeys(f"{task.shown}: {warning.message}" for warning in caught if issubclass(warning.category, InputWarning)))
    return PracticeResult(
        result.name, result.row, result.report, result.input_files, result.input_hash, result.performance_year, said
    )


def _planned(task: PracticeTask) -> PracticeResult:
    settings = task.settings
    scenario, catalog = load_scenario(task.scenario, settings.data_dir)
    files = tuple(dict.fromkeys(os.path.abspath(path) for path in input_files([scenario])))  # variants share the files
    digest = input_hash(files, scenario.performance_year, settings)
    run = plan_scenario(with_optimize_overrides(scenario, settings.overrides), catalog)
    current = current_selection(run, catalog)
    work = value_quality_work(run, catalog) if settings.quality_work else None
    document = plan_to_dict(run, catalog=catalog, current=current, quality_work=work)
    made = provenance(catalog, files, date=report_date(None), draws=document["draws"], objective=run.objective,
                      forecast_settings=run.forecast.settings)
    report = render_document("plan", with_provenance(document, made), settings.report_format)
    current_document: dict[str, Any] | None = None
    note = None
    if current is None:
        note = "no current selection: the scenario lists no [quality] reported"
    elif current.outlook is None:
        note = f"the current selection cannot be reported in {current.pathway.pathway_id}: {current.infeasible_reason}"
    else:
        current_document = outlook_to_dict(current.outlook, run.scenario.policy.performance_threshold)
    row = practice_row(
        document,
        task.shown,
        None if current is None else current.pathway.pathway_id,
        current_document,
        payment_gain_dollars(run, current),
        note,
    )
    data = report.encode("utf-8") if isinstance(report, str) else report
    return PracticeResult(task.name, row, data, files, digest, scenario.performance_year)
