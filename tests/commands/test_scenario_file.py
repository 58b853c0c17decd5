"""The scenario file's declared tables, seen the way a user sees them: the real CLI in a subprocess.

Every problem in a file is reported in one run, one line each naming the file and the key; hostile
files (deep nesting, huge values, thousands of variants) and out-of-range options end in one clear
line with exit 1, never a traceback (exit 3). The expected messages are the project's wording for
each kind of problem (``expected a whole number, got 'eight'``), stated in optimizer/inputs/scenario_file.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from optimizer.errors import InputError
from optimizer.inputs.scenario import read_scenario
from optimizer.rules.parameters import POLICIES

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
BASE = SCENARIOS / "riverside-family-medicine.toml"
BASELINE = SCENARIOS / "riverside-family-medicine-2025.csv"
PREFIX = "mips-optimizer: error: "


@pytest.fixture()
def scenario(tmp_path: Path) -> Path:
    """A copy of the riverside example (two what-ifs) and its baseline, to edit."""
    shutil.copy(BASE, tmp_path / "scenario.toml")
    shutil.copy(BASELINE, tmp_path / BASELINE.name)
    return tmp_path / "scenario.toml"


def edit(path: Path, *changes: tuple[str, str]) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, f"test setup: {old!r} not in {path.name}"
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")


def run(*arguments: str, data_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    extra = ["--data-dir", str(data_dir)] if data_dir is not None else []
    return subprocess.run(
        [sys.executable, "-m", "optimizer", *arguments, *extra], capture_output=True, text=True, timeout=300, check=False
    )


def error_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The error's lines without the prefix, after checking exit 1, the prefix and no traceback."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith(PREFIX) for line in lines), result.stderr
    return [line.removeprefix(PREFIX) for line in lines]


# --- every problem at once -------------------------------------------------------------------


def test_four_mistakes_are_four_lines_in_one_run(scenario: Path, tmp_path: Path) -> None:
    edit(
        scenario,
        ("clinicians = 8", 'clinicians = "eight"\nclinician_count = 8'),
        ('objective = "expected_payment"', 'objective = "most_money"'),
        ("[optimize]", "[forecast]\nrate_drift = 5.0\n\n[optimize]"),
    )
    output = tmp_path / "plan.md"
    lines = error_lines(run("plan", str(scenario), "--output", str(output)))
    file = str(scenario)
    assert sorted(lines) == sorted(
        [
            f"{file}, field 'practice.clinicians': expected a whole number, got 'eight'",
            f"{file}, field 'practice.clinician_count': is not a known setting (did you mean 'clinicians'?)",
            f"{file}, field 'optimize.objective': expected one of expected_payment, expected_score, "
            "threshold_probability, got 'most_money'",
            f"{file}, field 'forecast.rate_drift': expected at most 3.0, got 5.0",
        ]
    )
    assert not output.exists()


def test_problems_in_variants_name_the_variant_and_are_not_repeated(scenario: Path) -> None:
    # The base file's bad forecast key is inherited by both variants: reported once, for the base.
    # The second variant's own bad value is reported with its name.
    edit(
        scenario,
        ("[optimize]", "[forecast]\nrate_drift = -1.0\n\n[optimize]"),
        ('payment = { scaling_factor = { default = 0.117 } }', 'payment = { scaling_factor = { default = 0.117 } }\noptimize = { draws = -5 }'),
    )
    lines = error_lines(run("plan", str(scenario)))
    assert lines == [
        f"{scenario}, field 'forecast.rate_drift': expected at least 0.0, got -1.0",
        f"{scenario} (what-if 'BP control +5 points, low bonus year'), field 'optimize.draws': expected at least 0, got -5",
    ]


def test_unknown_ids_are_all_reported(scenario: Path, data_dir: Path) -> None:
    # Catalog checks collect too: two unknown activities, an unknown MVP and an expected change of
    # a measure without a baseline row, in the base and (inherited) in both variants: four lines.
    edit(
        scenario,
        ('"IA_AHW_1"', '"IA_NOPE_1"'),
        ('"IA_EPA_2"', '"IA_NOPE_2"'),
        ('pathways = "all"', 'pathways = ["traditional", "M9999"]'),
        ("[optimize]", '[expected_change]\n"999" = 2.0\n\n[optimize]'),
    )
    lines = error_lines(run("score", str(scenario), data_dir=data_dir))
    assert lines == [
        f"{scenario}, field 'expected_change.999': measure 999 is not in the baseline table",
        f"{scenario}, field 'optimize.pathways': 'M9999' is neither 'traditional' nor a 2026 MVP id",
        f"{scenario}, field 'improvement_activities.available': IA_NOPE_1 is not a 2026 improvement activity",
        f"{scenario}, field 'improvement_activities.available': IA_NOPE_2 is not a 2026 improvement activity",
    ]


def test_the_baselines_problem_comes_with_the_files(scenario: Path) -> None:
    edit(scenario, ("clinicians = 8", 'clinicians = "eight"'))
    edit(scenario.with_name(BASELINE.name), ("236,ecqm,655,468,", "236,ecqm,655,-468,"))
    with pytest.raises(InputError) as raised:
        read_scenario(scenario)
    lines = str(raised.value).splitlines()
    assert lines[0] == f"{scenario}, field 'practice.clinicians': expected a whole number, got 'eight'"
    assert len(lines) == 2 and lines[1].startswith(f"{scenario.with_name(BASELINE.name)}, row 4, column 'performance_met'")


# --- each kind of problem, in the project's words ---------------------------------------------

MESSAGES = [
    # (what is wrong, edits, the one line expected after "FILE, ")
    ("missing key", [("clinicians = 8\n", "")], "field 'practice.clinicians': is required"),
    ("missing table", [("[practice]", "[practise]")],
     ["field 'practice': is required (a table)", "field 'practise': is not a known setting (did you mean 'practice'?)"]),
    ("not a table", [("[cost]\nscore = 52.0\n", ""), ("[practice]", "cost = 52.0\n\n[practice]")],
     "field 'cost': expected a table, got 52.0"),
    ("not true or false", [("cehrt = true", 'cehrt = "yes"')], "field 'practice.cehrt': expected true or false, got 'yes'"),
    ("blank text", [('name = "Riverside Family Medicine"', 'name = " "')], "field 'practice.name': expected text, got ' '"),
    ("not a number", [("score = 52.0", 'score = "52"')], "field 'cost.score': expected a number, got '52'"),
    ("not finite", [("score = 52.0", "score = nan")], "field 'cost.score': expected a number, got nan"),
    ("below the minimum", [("clinicians = 8", "clinicians = 0")], "field 'practice.clinicians': expected at least 1, got 0"),
    ("not a choice in a list", [('special_status = ["rural"]', 'special_status = ["rural", "urban"]')],
     "field 'practice.special_status[1]': expected one of small, rural, hpsa, non_patient_facing, got 'urban'"),
    ("not a list", [('attested = ["IA_BE_6"]', 'attested = "IA_BE_6"')],
     "field 'improvement_activities.attested': expected a list, got 'IA_BE_6'"),
    ("bad pair", [('["047", "medicare_part_b_claims"]', '["047", "fax"]')],
     "field 'quality.reported[4]': collection type 'fax' is not one of ecqm, mips_cqm, medicare_part_b_claims, "
     "qcdr, cahps, admin_claims, medicare_cqm"),
    ("pair without collection type", [('["047", "medicare_part_b_claims"]', '"047"')],
     "field 'quality.reported[4]': expected an item like [\"236\", \"ecqm\"], got '047'"),
    ("exact pair twice", [('["438", "ecqm"]]', '["438", "ecqm"], ["236", "ecqm"]]')],
     "field 'quality.reported': [\"236\", \"ecqm\"] is listed twice"),
    ("two modes", [("[cost]\nscore = 52.0", "[cost]\nscore = 52.0\nreweighted = true")],
     "field 'cost.reweighted': give only one of score, reweighted, measures (found score and reweighted)"),
    ("no mode", [("[cost]\nscore = 52.0", "[cost]\nprior_score = 40.0")],
     "field 'cost.score': give the cost score, reweighted = true, or a measures list"),
    ("empty cost measures", [("[cost]\nscore = 52.0", "[cost]\nmeasures = []")],
     "field 'cost.measures': expected a list of tables like [{ measure_id = \"TPCC_1\", expected_value = 1650.0, cases = 180 }]"),
    ("cost measure entry", [("[cost]\nscore = 52.0", '[cost]\nmeasures = [{ measure_id = "TPCC_1", expected_value = 1650.0, cases = -1 }]')],
     "field 'cost.measures[0].cases': expected at least 0, got -1"),
    ("numerator above denominator", [("[promoting_interoperability]\nscore = 78.0",
                                      "[promoting_interoperability]\nmeasures = { PI_HIE_1 = { numerator = 9, denominator = 8 } }")],
     "field 'promoting_interoperability.measures.PI_HIE_1.numerator': exceeds the denominator (9 > 8)"),
    ("PI value", [("[promoting_interoperability]\nscore = 78.0", '[promoting_interoperability]\nmeasures = { PI_EP_1 = "yes" }')],
     "field 'promoting_interoperability.measures.PI_EP_1': expected true/false, a rate in percent, "
     "or { numerator, denominator }, got 'yes'"),
    ("pathways", [('pathways = "all"', 'pathways = "every"')],
     "field 'optimize.pathways': expected \"all\" or a non-empty list such as [\"traditional\", \"M0005\"], got 'every'"),
    ("baseline name", [('baseline = "riverside-family-medicine-2025.csv"', 'baseline = "a\\u0000.csv"')],
     "field 'practice.baseline': 'a\\x00.csv' cannot be a file name"),
    ("bonus above the policy's maximum", [("complex_patient_bonus = 2.0", "complex_patient_bonus = 12.0")],
     "field 'practice.complex_patient_bonus': expected at most 10.0, got 12.0"),
    ("scaling factor", [("default = 0.178", "default = 0.1")],
     "field 'payment.scaling_factor': scaling factors must satisfy low <= default <= high"),
    ("unknown policy parameter", [("[optimize]", "[policy]\nperformance_treshold = 70.0\n\n[optimize]")],
     "field 'policy.performance_treshold': is not a known setting (did you mean 'performance_threshold'?)"),
    ("policy parameter's type", [("[optimize]", '[policy]\ncase_minimum = "twenty"\n\n[optimize]')],
     "field 'policy.case_minimum': case_minimum expects a whole number"),
    ("year without rules", [("performance_year = 2026", "performance_year = 2031")],
     "field 'performance_year': the scoring rules of performance year 2031 are not implemented "
     f"(known: {', '.join(str(year) for year in POLICIES)})"),
    ("what-if key", [("promoting_interoperability = { reweighted = true }",
                      "promoting_interoperability = { reweighted = true }\nrescore_onyl = true")],
     "(what-if 'PI reweighted (hardship exception)'), field 'rescore_onyl': is not a known setting (did you mean 'rescore_only'?)"),
    ("what-if without a name", [('name = "PI reweighted (hardship exception)"\n', "")], "field 'what_if[0].name': is required"),
    ("what-if name twice", [('name = "BP control +5 points, low bonus year"', 'name = "PI reweighted (hardship exception)"')],
     "field 'what_if[1].name': the name 'PI reweighted (hardship exception)' is used twice"),
]


@pytest.mark.parametrize(("edits", "expected"), [case[1:] for case in MESSAGES], ids=[case[0] for case in MESSAGES])
def test_each_kind_of_problem_is_one_line_in_the_projects_words(
    scenario: Path, edits: list[tuple[str, str]], expected: str | list[str]
) -> None:
    edit(scenario, *edits)
    with pytest.raises(InputError) as raised:
        read_scenario(scenario)
    lines = [expected] if isinstance(expected, str) else expected
    assert str(raised.value).splitlines() == [f"{scenario}{' ' if line.startswith('(') else ', '}{line}" for line in lines]


def test_a_measure_in_two_collection_types_may_be_reported(scenario: Path) -> None:
    # [quality] reported refuses only an exact pair listed twice (issue 9: the same measure in two
    # collection types is a real choice CMS scores by the best one).
    edit(scenario, ('["438", "ecqm"]]', '["438", "ecqm"], ["236", "medicare_part_b_claims"]]'))
    assert ("236", "medicare_part_b_claims") in read_scenario(scenario).reported


def test_policy_overrides_move_the_limits_that_depend_on_them(scenario: Path) -> None:
    # complex_patient_bonus is bounded by the policy's complex_patient_bonus_maximum, not by a constant
    edit(scenario, ("complex_patient_bonus = 2.0", "complex_patient_bonus = 12.0"),
         ("[optimize]", "[policy]\ncomplex_patient_bonus_maximum = 15.0\n\n[optimize]"))
    assert read_scenario(scenario).practice.complex_patient_bonus == 12.0


# --- bounded work on hostile files --------------------------------------------------------------


def test_deep_nesting_is_one_line(scenario: Path) -> None:
    # 5,000 nested arrays: Python's TOML parser recurses once per level and would end in RecursionError
    edit(scenario, ("[practice]", "deep = " + "[" * 5000 + "]" * 5000 + "\n\n[practice]"))
    [line] = error_lines(run("score", str(scenario)))
    assert line == f"{scenario}: nests arrays or inline tables too deeply; at most 16 levels are allowed"


def test_nesting_the_parser_accepts_is_still_bounded(scenario: Path) -> None:
    # 100 levels of dotted keys (no recursion in the parser) and 40 of arrays: refused by the depth check
    edit(scenario, ("[practice]", "a" + ".b" * 100 + " = 1\n\n[practice]"))
    [line] = error_lines(run("score", str(scenario)))
    assert line == f"{scenario}, field 'a.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b': nests tables and arrays more than 16 levels deep"


def test_error_lines_quote_at_most_a_few_hundred_characters(scenario: Path) -> None:
    # a 50 MB value, and a 1 MB key: the error quotes the beginning of each
    huge = "x" * 50_000_000
    edit(scenario, ("clinicians = 8", f'clinicians = "{huge}"\n"{"k" * 1_000_000}" = 1'))
    lines = error_lines(run("score", str(scenario)))
    assert len(lines) == 2 and all(len(line) < 700 for line in lines), [len(line) for line in lines]
    assert lines[0].startswith(f"{scenario}, field 'practice.clinicians': expected a whole number, got 'xxxx")
    assert lines[1].startswith(f"{scenario}, field 'practice.kkkk") and "is not a known setting; known keys:" in lines[1]


def _what_ifs(count: int) -> str:
    return "".join(f'\n[[what_if]]\nname = "variant {position}"\noptimize = {{ seed = {position} }}\n' for position in range(count))


def test_more_what_ifs_than_the_cap_are_one_line(scenario: Path) -> None:
    text = scenario.read_text(encoding="utf-8")
    scenario.write_text(text[: text.index("[[what_if]]")] + _what_ifs(10_000), encoding="utf-8")
    [line] = error_lines(run("score", str(scenario)))
    assert line == f"{scenario}, field 'what_if': has 10,000 variants; at most 200 are allowed"


def test_the_cap_of_what_ifs_is_read_with_one_baseline_read(scenario: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 200 variants share the base's baseline table: it is read once, and every variant is built
    import optimizer.inputs.scenario

    reads: list[tuple[Path, ...]] = []
    original = optimizer.inputs.scenario.read_baseline_files
    monkeypatch.setattr(optimizer.inputs.scenario, "read_baseline_files", lambda paths, *rest: reads.append(paths) or original(paths, *rest))
    text = scenario.read_text(encoding="utf-8")
    scenario.write_text(text[: text.index("[[what_if]]")] + _what_ifs(200), encoding="utf-8")
    read = read_scenario(scenario)
    assert len(reads) == 1 and len(read.variants) == 200
    assert [variant.optimize.seed for variant in read.variants] == list(range(200))
    assert all(variant.baseline is read.baseline for variant in read.variants)


def test_two_hundred_what_ifs_score_through_the_cli(scenario: Path, data_dir: Path) -> None:
    text = scenario.read_text(encoding="utf-8")
    scenario.write_text(text[: text.index("[[what_if]]")] + _what_ifs(200), encoding="utf-8")
    result = run("score", str(scenario), "--format", "json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr


# --- command-line options take the TOML keys' bounds ------------------------------------------

OPTIONS = [
    # (option, value, the [optimize] key, its TOML line (replacing the example's), the message both get)
    ("--seed", "-1", "seed", ("seed = 1\n", "seed = -1\n"), "expected at least 0, got -1"),
    ("--draws", "1000000000", "draws", ("draws = 1000\n", "draws = 1000000000\n"), "expected at most 100000, got 1000000000"),
    ("--time-limit", "nan", "time_limit_seconds", ("seed = 1\n", "seed = 1\ntime_limit_seconds = nan\n"), "expected a number, got nan"),
    ("--time-limit", "0", "time_limit_seconds", ("seed = 1\n", "seed = 1\ntime_limit_seconds = 0.0\n"), "expected at least 0.1, got 0.0"),
    ("--objective", "most_money", "objective", ('objective = "expected_payment"', 'objective = "most_money"'),
     "expected one of expected_payment, expected_score, threshold_probability, got 'most_money'"),
    ("--solver", "gurobi", "solver", ("seed = 1\n", 'seed = 1\nsolver = "gurobi"\n'), "expected one of highs, cbc, got 'gurobi'"),
]


@pytest.mark.parametrize(("option", "value", "key", "line", "message"), OPTIONS, ids=[f"{case[0]} {case[1]}" for case in OPTIONS])
def test_options_are_refused_like_the_keys_they_override(
    scenario: Path, option: str, value: str, key: str, line: tuple[str, str], message: str
) -> None:
    [refused] = error_lines(run("plan", str(scenario), option, value))
    assert refused == f"option {option}: {message}"
    edit(scenario, line)
    [refused] = error_lines(run("plan", str(scenario)))
    assert refused == f"{scenario}, field 'optimize.{key}': {message}"


def test_a_large_rural_practice_has_a_special_status(scenario: Path) -> None:
    # 40 clinicians is not small, but a rural practice needs only one improvement activity
    # (docs/rules-2026.md §4: one activity for small, rural, HPSA or non-patient-facing practices).
    edit(scenario, ("clinicians = 8", "clinicians = 40"))
    read = read_scenario(scenario)
    assert not read.practice.is_small(read.policy)
    assert read.practice.has_special_status(read.policy)
