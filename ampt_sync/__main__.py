"""`python -m ampt_sync` is the `ampt-sync` command."""

import sys

from ampt_sync.cli import main

sys.exit(main())
