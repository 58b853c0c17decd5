"""Inputs: what a practice gives the tool, read and checked.

``scenario_file`` (the scenario file's declared tables), ``scenario`` (the :class:`Scenario` a file
and its ``[[what_if]]`` variants describe, checked against CMS's catalog), ``baseline`` (the baseline
table), ``importers`` (QRDA III and QPP JSON files turned into baseline rows) and ``loading`` (a
scenario file and its year's catalog, read and checked together, as the commands do).
"""
