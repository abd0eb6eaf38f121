"""``python -m lovregler.cli``."""

import sys

from lovregler.cli import main

sys.exit(main())
