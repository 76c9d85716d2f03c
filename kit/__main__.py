"""``python -m kit``: see :mod:`kit.cli.main`."""

import sys

from kit.cli.main import PYTHON_M_PROG, main

if __name__ == "__main__":
    sys.exit(main(prog=PYTHON_M_PROG))
