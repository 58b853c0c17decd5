"""Read an import file's bytes within a size cap (also on gzip's unpacked size) and parse XML safely.

XML is parsed by the standard library's ElementTree behind defusedxml with DTDs, entities and
external references forbidden: a QRDA III never has a DOCTYPE, so refusing any DTD covers
billion laughs, quadratic blowup and external entities in one rule. Stylesheet processing
instructions (``<?xml-stylesheet href="qrda.xsl"?>``) are never followed, and nothing is fetched.
"""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ElementTree
import zlib
from pathlib import Path

import defusedxml
import defusedxml.ElementTree

MAX_FILE_BYTES = 50 * 1024 * 1024
"""Largest file (and largest gzip content once unpacked) the importer reads; real QRDA III files are 0.1–3 MB."""


class UnreadableFile(Exception):
    """A file that cannot be read or parsed; the message says why, in one line."""


def read_capped(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, gunzipped when it ends in ``.gz``, refusing more than ``limit`` bytes either way."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise UnreadableFile(f"the file is {size:,} bytes, more than the importer's limit of {limit:,}")
        if path.name.lower().endswith(".gz"):
            with gzip.open(path, "rb") as stream:
                data = stream.read(limit + 1)
            if len(data) > limit:
                raise UnreadableFile(f"the gzip content unpacks to more than the importer's limit of {limit:,} bytes")
            return data
        return path.read_bytes()
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise UnreadableFile(f"not a readable gzip file ({error})") from None
    except OSError as error:
        raise UnreadableFile(f"cannot be read ({error.strerror or error})") from None


def parse_xml(data: bytes) -> ElementTree.Element:
    """The document element of ``data``; :class:`UnreadableFile` for a DTD, an entity or malformed XML."""
    try:
        return defusedxml.ElementTree.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden:
        raise UnreadableFile("the XML declares a DOCTYPE, which a QRDA III file never has; refused before reading it") from None
    except defusedxml.DefusedXmlException as error:
        raise UnreadableFile(f"the XML uses a forbidden construct ({type(error).__name__})") from None
    except ElementTree.ParseError as error:
        raise UnreadableFile(f"not an XML document ({error})") from None
