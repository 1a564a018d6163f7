"""Allow ``python -m exobone.cli``."""

import sys

from exobone.cli import main

# guarded: the web app's simulation workers (multiprocessing "spawn") import the main module
if __name__ == "__main__":
    sys.exit(main())
