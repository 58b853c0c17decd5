"""Where reports go: stdout, or a file written atomically (temporary file, then rename).

Writing a report must never destroy anything: ``--output`` may name a new path or an existing
regular file that is not one of the run's inputs (compared by device and inode, so a symlink or
a hard link to the scenario or baseline file is refused too); a folder, a device, a FIFO or a
socket is refused. An existing file keeps its permission bits; a new one gets ``0666 & ~umask``
like any file a program creates. Every failure (a full disk, a read-only folder, a name too long)
is one line, and the old file is left exactly as it was.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from optimizer.errors import MipsError

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)


def _failure(path: str | os.PathLike[str], error: OSError) -> MipsError:
    reason = error.strerror or type(error).__name__
    return MipsError(f"{os.fspath(path)}: cannot write the report ({reason}); nothing was changed")


def check_output(output: str | os.PathLike[str] | None, inputs: Iterable[str | os.PathLike[str]] = ()) -> None:
    """Refuse an ``--output`` path the report must not be written to.

    Raises
    ------
    MipsError
        ``output`` is a folder (or a symlink to one), a device, a FIFO or a socket; it is one of
        ``inputs`` (the same file by device and inode); its folder does not exist; or the path
        cannot be looked at (a name too long, a folder that is not searchable).
    """
    if output is None:
        return
    shown = os.fspath(output)
    try:
        status = os.stat(output)
    except FileNotFoundError:
        folder = Path(output).parent
        if not folder.is_dir():
            raise MipsError(f"{shown}: cannot write the report, folder {folder} does not exist") from None
        return
    except OSError as error:
        raise _failure(output, error) from None
    for test, kind in _KINDS:
        if test(status.st_mode):
            raise MipsError(f"{shown}: is {kind}, not a file; --output writes a new file or replaces a regular file")
    for path in inputs:
        try:
            other = os.stat(path)
        except OSError:
            continue
        if (status.st_dev, status.st_ino) == (other.st_dev, other.st_ino):
            raise MipsError(
                f"{shown}: is this run's input {os.fspath(path)}; writing the report there would replace it "
                "(choose another --output)"
            )


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomically(
    path: str | os.PathLike[str], content: str | bytes, inputs: Iterable[str | os.PathLike[str]] = ()
) -> None:
    """Write ``content`` to ``path`` so that readers see the old file or the whole new one.

    ``path`` is checked with :func:`check_output` first. The bytes go to a temporary file in the
    same folder (a symlink is followed to the file it names), which is flushed, synced, given the
    old file's permission bits (or ``0666 & ~umask``) and then renamed over the file; on any
    failure the temporary file is removed, the file is left as it was, and the error is one line.
    """
    check_output(path, inputs)
    target = Path(os.path.realpath(path))
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        mode = _mode_for(target)
        # a short prefix: the temporary name must fit where a 255-byte target name fits
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name[:24]}.", suffix=".part", dir=target.parent)
    except OSError as error:
        raise _failure(path, error) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)  # mkstemp makes 0600
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise _failure(path, error) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def emit(
    content: str | bytes,
    output: str | os.PathLike[str] | None,
    stream: BinaryIO | None = None,
    inputs: Iterable[str | os.PathLike[str]] = (),
) -> None:
    """Send a finished report to ``output`` (written atomically, never over one of ``inputs``) or to standard output."""
    if output is not None:
        write_atomically(output, content, inputs)
        return
    if isinstance(content, bytes) and stream is None and sys.stdout.isatty():
        raise MipsError("this format is binary (an Excel workbook): give --output FILE.xlsx, or redirect stdout to a file")
    stream = stream if stream is not None else sys.stdout.buffer
    data = content.encode("utf-8") if isinstance(content, str) else content
    stream.write(data)
    if not data.endswith(b"\n"):
        stream.write(b"\n")
    stream.flush()
