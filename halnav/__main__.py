"""``python -m halnav``: the ``halnav`` command."""

import sys

from halnav.cli import main

if __name__ == "__main__":
    sys.exit(main())
