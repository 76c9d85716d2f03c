"""Argument types shared by the commands: a TCP port, a count; a bad value exits 2 with a message naming it.

argparse calls these with the text the user typed; :class:`argparse.ArgumentTypeError` makes it print
``error: argument --port: ...`` and exit with status 2.
"""

from __future__ import annotations

import argparse

__all__ = ["PORT_MIN", "PORT_MAX", "port", "non_negative_int", "row_id"]

#: The TCP ports a server can listen on (0 would mean "any free port", which the printed URL could not name).
PORT_MIN, PORT_MAX = 1, 65535


def _whole_number(text: str, wanted: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number; give {wanted}") from None


def port(text: str) -> int:
    """A TCP port, ``1`` to ``65535``; anything else is refused (a server would listen elsewhere: ``99999 % 65536``)."""
    wanted = f"a port from {PORT_MIN} to {PORT_MAX}"
    n = _whole_number(text, wanted)
    if not PORT_MIN <= n <= PORT_MAX:
        raise argparse.ArgumentTypeError(f"{text.strip()} is not a port; give {wanted}")
    return n


def non_negative_int(text: str) -> int:
    """A whole number ``0`` or more."""
    n = _whole_number(text, "a whole number, 0 or more")
    if n < 0:
        raise argparse.ArgumentTypeError(f"{text.strip()} is negative; give a whole number, 0 or more")
    return n



def row_id(text: str) -> int:
    """An observation's id in the store (as ``log list`` shows it): a whole number, 1 or more."""
    n = _whole_number(text, "an observation id (1 or more, as 'log list' shows it)")
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text.strip()} is not an observation id; give 1 or more, as 'log list' shows it")
    return n
