"""The kit's exceptions: one base class, :class:`KitError`, for every error a user can cause.

Library code raises these; the command line (:mod:`kit.cli`) turns them into a message and
exit status 2. Anything else that reaches the command line is a bug (exit 1).
"""

from __future__ import annotations

__all__ = ["KitError", "InputError"]


class KitError(Exception):
    """An error caused by what the user gave (a file, a value, an option): exit status 2."""


class InputError(KitError):
    """Input that cannot be read (not JSON, missing file, wrong encoding, too large); exit status 2."""
