"""Where reports go: stdout, or a file written atomically (temporary file, then rename)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO

from optimizer.errors import MipsError


def write_atomically(path: str | os.PathLike[str], content: str | bytes) -> None:
    """Write ``content`` to ``path`` so that readers see the old file or the whole new one.

    The bytes go to a temporary file in the same folder, which is flushed, synced and then
    renamed over ``path``; on any failure the temporary file is removed and ``path`` is left
    as it was.
    """
    target = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise MipsError(f"{target}: cannot write the output, folder {folder} does not exist")
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes 0600; a shared report should not be
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def emit(content: str | bytes, output: str | os.PathLike[str] | None, stream: BinaryIO | None = None) -> None:
    """Send a finished report to ``output`` (written atomically) or to standard output."""
    if output is not None:
        write_atomically(output, content)
        return
    if isinstance(content, bytes) and stream is None and sys.stdout.isatty():
        raise MipsError("this format is binary (an Excel workbook): give --output FILE.xlsx, or redirect stdout to a file")
    stream = stream if stream is not None else sys.stdout.buffer
    data = content.encode("utf-8") if isinstance(content, str) else content
    stream.write(data)
    if not data.endswith(b"\n"):
        stream.write(b"\n")
    stream.flush()
