"""The kit's exceptions: one base class, :class:`KitError`, for every error a user can cause.

Library code raises these; the command line (:mod:`kit.cli`) turns them into a message and
exit status 2. Anything else that reaches the command line is a bug (exit 1). Every public
exception class of the kit derives from :class:`KitError` and keeps its Python base too
(``ObservationError`` and ``LogImportError`` are ``ValueError``, ``StoreError`` a ``RuntimeError``,
``WriteError`` an ``OSError``; ``tests/test_errors.py`` walks the modules).
"""

from __future__ import annotations

import os

__all__ = ["KitError", "InputError", "WriteError"]


class KitError(Exception):
    """An error caused by what the user gave (a file, a value, an option): exit status 2."""


class InputError(KitError):
    """Input that cannot be read (not JSON, missing file, wrong encoding, too large); exit status 2."""


class WriteError(KitError, OSError):
    """A file or folder the kit was asked to write cannot be written (read-only, full, no permission): exit status 2.

    Also an :class:`OSError` (same ``errno``, ``strerror`` and ``filename`` as the error it
    replaces), so code that handles ``OSError`` keeps working; its message names the path:
    ``cannot write PATH: strerror``.
    """

    def __init__(self, path: str | os.PathLike[str], err: OSError):
        super().__init__(err.errno, err.strerror or str(err), os.fspath(path))
        self.path = os.fspath(path)

    def __str__(self) -> str:
        return f"cannot write {self.path}: {self.strerror}"

    def __reduce__(self) -> tuple[object, ...]:  # picklable (e.g. raised in a worker process)
        return (_rebuild_write_error, (self.path, self.errno, self.strerror))


def _rebuild_write_error(path: str, errno: int | None, strerror: str | None) -> WriteError:
    return WriteError(path, OSError(errno, strerror))
