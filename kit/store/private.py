"""Private files and folders for health data (issue 11 item 5): 0600 files, 0700 folders, whatever the umask.

Every file the kit writes that holds observations (the store and its ``-wal``/``-shm``/
``-journal`` files, log exports, ``score`` output, reject files, handouts, exported
notebooks) goes through this module, and every folder the kit creates for them:

* :func:`private_dir` creates the missing folders of a path, each ``0700`` (an existing
  folder is left as it is: it belongs to the user);
* :func:`open_private` opens a file for writing, created ``0600`` (an existing file the
  user owns is set to ``0600`` too);
* :func:`atomic_write_text` writes a whole file atomically (temporary ``0600`` file in the
  same folder, fsync, rename), so readers see the old or the new content, never half;
* :func:`private_file` makes sure a file exists and is ``0600`` (SQLite then gives its
  ``-wal``/``-shm``/``-journal`` files the same mode).

A file or folder that cannot be written (read-only or full disk, no permission, a file in
the way) raises :class:`kit.errors.WriteError` ("cannot write PATH: reason"; a
:class:`~kit.errors.KitError`, so the command line exits 2 with that message, and an
:class:`OSError`, so callers that handle ``OSError`` keep working).

The umask cannot widen these modes: files are created with ``0600`` and set with
``fchmod``/``chmod`` afterwards, folders with ``chmod`` after ``mkdir``.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from kit.errors import WriteError

__all__ = ["FILE_MODE", "DIR_MODE", "private_dir", "private_file", "open_private", "atomic_write_text", "tighten",
           "writing"]

FILE_MODE = 0o600
DIR_MODE = 0o700


@contextlib.contextmanager
def writing(path: str | os.PathLike[str]) -> Iterator[None]:
    """Turn an :class:`OSError` raised inside the block into :class:`kit.errors.WriteError` naming ``path``.

    A :class:`~kit.errors.WriteError` from inside (e.g. the folder of ``path``) is named again by
    ``path``, the file the caller was asked to write.
    """
    try:
        yield
    except WriteError as err:
        if err.path == os.fspath(path):
            raise
        raise WriteError(path, err) from err
    except OSError as err:
        raise WriteError(path, err) from err


def private_dir(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` and its missing parents, each created folder ``0700``; returns ``path``.

    Raises
    ------
    kit.errors.WriteError
        A folder cannot be made (e.g. a file is in the way, or no permission); also an ``OSError``.
    """
    with writing(path):
        return _private_dir(Path(os.fspath(path)))


def _private_dir(p: Path) -> Path:
    missing = []
    q = p
    while not q.exists() and q != q.parent:
        missing.append(q)
        q = q.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=DIR_MODE)
        except FileExistsError:  # made by another process meanwhile
            if not d.is_dir():
                raise
            continue
        os.chmod(d, DIR_MODE)  # mkdir's mode is reduced by the umask, never widened: set it exactly
    if not p.is_dir():
        raise NotADirectoryError(20, "Not a directory", str(p))
    return p


def tighten(path: str | os.PathLike[str]) -> None:
    """Remove group and other permissions from an existing file, if this user may (``0644`` -> ``0600``, ``0444`` -> ``0400``)."""
    with contextlib.suppress(OSError):
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):  # never a folder, a device or a fifo
            return
        wanted = st.st_mode & FILE_MODE  # only ever removes permissions (a 0400 file stays 0400)
        if (st.st_mode & 0o777) != wanted and (os.name != "posix" or st.st_uid == os.getuid() or os.getuid() == 0):
            os.chmod(path, wanted)


def private_file(path: str | os.PathLike[str]) -> Path:
    """Make sure ``path`` exists (empty if new) and is ``0600``; its folders are made ``0700``.

    Raises
    ------
    kit.errors.WriteError
        ``path`` or its folder cannot be made.
    """
    p = Path(os.fspath(path))
    with writing(p):
        _private_dir(p.parent)
        try:
            fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        except FileExistsError:
            tighten(p)
        else:
            os.close(fd)
            os.chmod(p, FILE_MODE)
    return p


def open_private(path: str | os.PathLike[str], mode: str = "w", *, encoding: str | None = "utf-8",
                 newline: str | None = None) -> IO[Any]:
    """Open ``path`` for writing (``"w"``, ``"a"``, ``"wb"``, ``"ab"``), the file ``0600``, its new folders ``0700``.

    Raises
    ------
    kit.errors.WriteError
        The file or its folder cannot be opened or made (errors while writing to the open
        file stay ``OSError``: wrap the writes in :func:`writing` to name the path).
    """
    if mode.strip("b") not in ("w", "a"):
        raise ValueError(f"open_private writes only; mode {mode!r}")
    p = Path(os.fspath(path))
    with writing(p):
        _private_dir(p.parent)
        flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode.startswith("a") else os.O_TRUNC)
        fd = os.open(p, flags, FILE_MODE)
    try:
        with contextlib.suppress(OSError):  # e.g. a file of another user: it keeps its mode
            os.fchmod(fd, FILE_MODE)
        if "b" in mode:
            return os.fdopen(fd, mode)
        return os.fdopen(fd, mode, encoding=encoding, newline=newline)
    except BaseException:
        os.close(fd)
        raise


def atomic_write_text(dest: str | os.PathLike[str], text: str, *, encoding: str = "utf-8", newline: str | None = "") -> Path:
    """Write ``text`` to ``dest`` atomically: a ``0600`` temporary file in the same folder, fsync, rename.

    ``newline=""`` writes the text as it is (no line-ending translation).

    Raises
    ------
    kit.errors.WriteError
        ``dest`` cannot be written (read-only or full disk, no permission, a file in the
        way); ``dest`` is then unchanged and no temporary file is left.
    """
    p = Path(os.fspath(dest))
    with writing(p):
        _private_dir(p.parent)
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
        try:
            os.fchmod(fd, FILE_MODE)
            with os.fdopen(fd, "w", encoding=encoding, newline=newline) as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, p)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    return p
