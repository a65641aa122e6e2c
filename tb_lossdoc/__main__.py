"""`python -m tb_lossdoc` is the `tb-lossdoc` command."""

import sys

from .cli import main

sys.exit(main())
