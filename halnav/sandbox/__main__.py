"""``python -m halnav.sandbox``: the same as ``halnav sandbox``."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
