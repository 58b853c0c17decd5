"""MIPS optimizer: score a practice exactly as CMS does and choose what it should report.

The public API is re-exported here as the layers land; see README.md.
"""

from __future__ import annotations

__version__ = "0.1.0"
