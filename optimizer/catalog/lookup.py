"""What a consultant looks up while choosing: one measure, one MVP, or a title search (as Markdown)."""

from __future__ import annotations

import pandas as pd

from optimizer.catalog.read import Catalog
from optimizer.collection_types import DESCRIPTIONS
from optimizer.errors import DataError
from optimizer.report.formatting import markdown_table, number
from optimizer.rules.measure_points import PERCENTILE_KEYS


def _yes(value: object) -> str:
    return "yes" if bool(value) else "no"


def describe_measure(catalog: Catalog, measure_id: str) -> str:
    """A quality measure with its benchmarks per collection type, or an activity / cost / PI measure."""
    measure = catalog.quality_measure(measure_id)
    if measure is None:
        return _describe_other(catalog, measure_id)
    year = catalog.performance_year
    lines = [
        f"# {measure['measure_id']}: {measure['title']} ({year})",
        "",
        f"- Type: {str(measure['measure_type']).replace('_', ' ')}" + (" (outcome)" if measure["is_outcome"] else ""),
        f"- High priority: {_yes(measure['is_high_priority'])}",
        f"- Inverse (lower is better): {_yes(measure['is_inverse'])}",
        f"- Collection types: {', '.join(measure['collection_types'])}",
        f"- First performance year: {'—' if pd.isna(measure['first_performance_year']) else measure['first_performance_year']}",
        f"- Traditional MIPS: {_yes(measure['is_traditional_mips'])}",
        f"- MVPs: {', '.join(measure['mvp_ids']) or 'none'}",
        "",
        "## Benchmarks",
        "",
    ]
    rows = []
    notes = []
    for collection_type in measure["collection_types"]:
        benchmark = catalog.benchmark(measure_id, collection_type)
        if benchmark is None:
            reason = catalog.benchmark_exclusion(measure_id, collection_type) or f"no row in benchmarks/{year}.json"
            notes.append(f"- {collection_type}: no benchmark — {reason}")
            continue
        flags = []
        if benchmark["seven_point_cap"]:
            flags.append("7-point cap")
        if benchmark["is_defined_topped_out"]:
            flags.append("defined topped-out benchmark (no cap)")
        elif benchmark["is_topped_out"]:
            flags.append("topped out")
        if benchmark["is_flat"]:
            flags.append("flat")
        rows.append([collection_type, *(number(float(benchmark[key])) for key in PERCENTILE_KEYS), ", ".join(flags) or "—"])
    if rows:
        lines.append(markdown_table(["collection type", *PERCENTILE_KEYS, "notes"], rows))
    if notes:
        lines.extend(["", *notes])
    return "\n".join(lines) + "\n"


def _describe_other(catalog: Catalog, measure_id: str) -> str:
    for label, table in (
        ("Improvement activity", catalog.improvement_activities),
        ("Cost measure", catalog.cost_measures),
        ("Promoting Interoperability measure", catalog.pi_measures),
    ):
        match = table[table["measure_id"] == measure_id]
        if not match.empty:
            row = match.iloc[0]
            mvps = catalog.mvp_members[catalog.mvp_members["member_id"] == measure_id]["mvp_id"].unique()
            extra = f"- Weight: {row['weight']}\n" if "weight" in row and row["weight"] else ""
            return (
                f"# {measure_id}: {row['title']} ({catalog.performance_year})\n\n- {label}\n{extra}"
                f"- MVPs: {', '.join(mvps) or 'none'}\n"
            )
    raise DataError(f"{measure_id}: no such measure or activity in the {catalog.performance_year} measures-data.json")


def describe_mvp(catalog: Catalog, mvp_id: str) -> str:
    """An MVP's quality measures (with their flags), activities, cost and foundation measures."""
    mvp = catalog.mvps[catalog.mvps["mvp_id"] == mvp_id]
    if mvp.empty:
        raise DataError(f"{mvp_id}: no such MVP in {catalog.performance_year}; known: {', '.join(catalog.mvp_ids())}")
    members = catalog.mvp_members[catalog.mvp_members["mvp_id"] == mvp_id]
    lines = [f"# {mvp_id}: {mvp.iloc[0]['title']} ({catalog.performance_year})", "", "## Quality measures", ""]
    rows = []
    for member_id in members.loc[members["role"].isin(["quality", "admin_claims"]), "member_id"]:
        measure = catalog.quality_measure(member_id)
        if measure is None:
            rows.append([member_id, "(not in measures-data.json)", "", "", ""])
            continue
        rows.append(
            [member_id, str(measure["title"]), str(measure["measure_type"]).replace("_", " "),
             _yes(measure["is_high_priority"]), ", ".join(measure["collection_types"])]
        )
    lines.append(markdown_table(["measure", "title", "type", "high priority", "collection types"], rows))
    for role, title in (("activity", "Improvement activities"), ("cost", "Cost measures"), ("foundation", "Foundation measures")):
        ids = list(members.loc[members["role"] == role, "member_id"])
        lines.extend(["", f"## {title}", "", ", ".join(ids) or "none"])
    return "\n".join(lines) + "\n"


def search_titles(catalog: Catalog, words: str) -> str:
    """Quality measures, activities and cost measures whose titles hold every word (case-insensitive)."""
    terms = [word.lower() for word in words.split() if word]
    rows = []
    for kind, table in (
        ("quality", catalog.quality_measures),
        ("activity", catalog.improvement_activities),
        ("cost", catalog.cost_measures),
    ):
        titles = table["title"].str.lower()
        mask = pd.Series(True, index=table.index)
        for term in terms:
            mask &= titles.str.contains(term, regex=False)
        for row in table[mask].itertuples(index=False):
            rows.append([row.measure_id, kind, row.title])
    if not rows:
        return f"No {catalog.performance_year} measure title contains {words!r}.\n"
    return markdown_table(["id", "kind", "title"], rows) + "\n"


def summarise(catalog: Catalog) -> str:
    """Counts of the year's measures, benchmark rows per collection type and MVPs."""
    counts = catalog.benchmarks["collection_type"].value_counts()
    rows = [[kind, str(int(counts.get(kind, 0))), DESCRIPTIONS.get(kind, kind)] for kind in counts.index]
    return (
        f"# CMS program data, performance year {catalog.performance_year}\n\n"
        f"Source: {catalog.source}.\n\n"
        f"- Quality measures: {len(catalog.quality_measures)}\n- Cost measures: {len(catalog.cost_measures)}\n"
        f"- Improvement activities: {len(catalog.improvement_activities)}\n"
        f"- Promoting Interoperability measures: {len(catalog.pi_measures)}\n- MVPs: {len(catalog.mvps)}\n"
        f"- Benchmark rows: {len(catalog.benchmarks)}\n\n"
        + markdown_table(["collection type", "benchmark rows", "what it is"], rows)
        + "\n\nLook up one with --measure ID, --mvp ID or --search WORDS.\n"
    )
