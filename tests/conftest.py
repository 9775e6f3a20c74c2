"""Session settings for the tests: hypothesis keeps nothing in the working tree.

The random-structure tests are derandomized, so hypothesis' example database is of no
use; it is switched off, and the caches hypothesis writes anyway (constants found in
the source) go to a temporary directory removed at the end of the session.
"""

import shutil
import tempfile

from hypothesis import configuration, settings

_HYPOTHESIS_HOME = tempfile.mkdtemp(prefix="slasim-tests-hypothesis-")
configuration.set_hypothesis_home_dir(_HYPOTHESIS_HOME)
settings.register_profile("slasim-tests", database=None)
settings.load_profile("slasim-tests")


def pytest_unconfigure(config):
    shutil.rmtree(_HYPOTHESIS_HOME, ignore_errors=True)
