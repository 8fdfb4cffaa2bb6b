#!/usr/bin/env python3
"""The quick-start entry: `python build.py <command>` runs the `one-answer` command line (engine/cli.py)."""
from __future__ import annotations

import sys

from engine.cli import main

if __name__ == "__main__":
    sys.exit(main())
