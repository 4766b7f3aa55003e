import os
import sys

# tests import their shared helpers as `from helpers import ...`, from any sub-folder
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    from hypothesis import settings
except ImportError:  # hypothesis is part of the test extra; without it the property tests are skipped
    settings = None
if settings is not None:
    # the same examples on every run (CI must not find a new case by chance), and no per-example
    # deadline: this 2-core machine is shared, and a slow moment is not a failure
    settings.register_profile("ember", derandomize=True, deadline=None, print_blob=True)
    settings.load_profile("ember")
