"""``python -m lovregler.cli``."""

import sys

from lovregler.cli.app import main

sys.exit(main())
