"""Shared test setup: hypothesis profiles (dev, ci, deep) chosen by HYPOTHESIS_PROFILE, and KB helpers."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, Verbosity, settings

# Every diagnostic the tests provoke must be documented in engine/codes.py (`explain`); subprocesses inherit it.
os.environ.setdefault("ONE_ANSWER_STRICT_CODES", "1")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("ci", max_examples=200, deadline=None, derandomize=True, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("deep", max_examples=5000, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow], verbosity=Verbosity.normal)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
