"""Allow ``python -m exobone.cli``."""

import sys

from exobone.cli import main

sys.exit(main())
