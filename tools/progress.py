"""Which exercises are done, as each check recorded them:  make progress [DIR=notebooks|student]

    python tools/progress.py [DIR]

Prints every lesson's exercises with ✓ (passed), ✗ (tried, not passing yet) or · (not done),
from DIR/.progress (see lessons_support/tracking.py); without DIR, from ./.progress.
"""

import sys

from lessons_support.tracking import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
