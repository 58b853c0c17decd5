"""Scoring of a selection: the one path from a selection of measures and activities to a final score.

``pathways`` (traditional MIPS and each MVP, and which candidates each allows) and
``selection_score`` (a selection's final score and payment from the rules, on observed rates or on
every forecast draw).
"""
