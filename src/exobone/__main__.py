"""Allow ``python -m exobone`` (the same as the ``exobone`` command)."""

import sys

from exobone.cli import main

# guarded: the web app's simulation workers (multiprocessing "spawn") import the main module
if __name__ == "__main__":
    sys.exit(main())
