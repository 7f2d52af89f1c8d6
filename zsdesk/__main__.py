import sys

from zsdesk.cli.main import main

sys.exit(main())
