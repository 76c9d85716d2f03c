"""The command line (``postrun-kit``, ``python -m kit``): one module per command, registered in
:data:`kit.cli.main.SUBCOMMANDS`. The top layer: it may import every other layer; nothing imports it.
"""

from kit.cli.assess import MAX_ASSESS_BYTES, MAX_ASSESS_ITEMS, read_json_input
from kit.cli.main import OPTIONAL_EXTRAS, SUBCOMMANDS, InputError, main, missing_extra

__all__ = [
    "main",
    "SUBCOMMANDS",
    "OPTIONAL_EXTRAS",
    "missing_extra",
    "read_json_input",
    "InputError",
    "MAX_ASSESS_BYTES",
    "MAX_ASSESS_ITEMS",
]
