"""The command line (``python -m kit``, ``postrun-kit``): one module per command, registered in
:data:`kit.cli.main.SUBCOMMANDS`. The top layer: it may import every other layer; nothing imports it.
"""

from kit.cli.main import (
    MAX_ASSESS_BYTES as MAX_ASSESS_BYTES,
)
from kit.cli.main import (
    MAX_ASSESS_ITEMS as MAX_ASSESS_ITEMS,
)
from kit.cli.main import (
    OPTIONAL_EXTRAS as OPTIONAL_EXTRAS,
)
from kit.cli.main import (
    SUBCOMMANDS as SUBCOMMANDS,
)
from kit.cli.main import (
    InputError as InputError,
)
from kit.cli.main import (
    main as main,
)
from kit.cli.main import (
    missing_extra as missing_extra,
)
from kit.cli.main import (
    read_json_input as read_json_input,
)

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
