"""CMS program data: fetch and verify the pinned files, and read them into tidy tables.

``fetch_year`` downloads or imports a performance year's files and checks their SHA-256 against
``benchmarks_data/<year>.toml``; ``read_catalog`` returns a :class:`Catalog` of DataFrames.
"""

from optimizer.catalog.fetch import FetchedFile, fetch_year
from optimizer.catalog.locations import DATA_DIR_ENVIRONMENT_VARIABLE, data_directory
from optimizer.catalog.manifest import Manifest, known_years, read_manifest
from optimizer.catalog.read import Catalog, read_catalog

__all__ = [
    "DATA_DIR_ENVIRONMENT_VARIABLE",
    "Catalog",
    "FetchedFile",
    "Manifest",
    "data_directory",
    "fetch_year",
    "known_years",
    "read_catalog",
    "read_manifest",
]
