"""``python -m kit``: see :mod:`kit.cli.main`."""

import sys

from kit.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
