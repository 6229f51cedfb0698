"""Test-suite settings: hypothesis runs derandomized (the same examples every run, so CI is
reproducible); HYPOTHESIS_PROFILE=explore searches new examples with more of them."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("explore", max_examples=500, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
