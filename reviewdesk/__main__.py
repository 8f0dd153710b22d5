"""`python -m reviewdesk …` runs the `reviewdesk` command."""

import sys

from reviewdesk.cli import main

sys.exit(main())
