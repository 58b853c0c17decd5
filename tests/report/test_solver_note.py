"""The plan report says whether every pathway's selection is proven best, and names any the time
limit stopped (a consultant must not mistake a time-limited answer for a proof)."""

from __future__ import annotations

from optimizer.report.plan_report import all_proven, solver_note


def _entry(pathway: str, method: str, status: str = "optimal", gap: float | None = 0.0) -> dict:
    return {"pathway": pathway, "solver": {"method": method, "status": status, "optimality_gap": gap, "seconds": 0.1}}


def test_a_fully_solved_plan_says_proven_best_and_how() -> None:
    document = {"seconds": 1.23, "pathways": [_entry("traditional", "branch and bound"), _entry("M0005", "enumeration"), _entry("M0001", "enumeration")]}
    assert all_proven(document)
    assert solver_note(document) == "Every pathway's selection is proven best (branch and bound 1, enumeration 2; 1.2 s in all)."


def test_a_time_limited_pathway_is_named_with_its_gap() -> None:
    document = {
        "seconds": 30.0,
        "pathways": [_entry("traditional", "branch and bound", "time_limit", None), _entry("M0005", "outer approximation", "time_limit", 0.00123)],
    }
    assert not all_proven(document)
    assert solver_note(document).startswith("Not proven best: the time limit stopped traditional (gap unknown); M0005 (gap 0.123%).")
