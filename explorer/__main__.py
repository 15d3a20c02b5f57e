"""``python -m explorer`` is the same as the ``api-explorer`` console script."""

import sys

from explorer.cli import main

sys.exit(main())
