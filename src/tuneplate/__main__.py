import sys

from tuneplate.cli import main

sys.exit(main())
