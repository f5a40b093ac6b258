import os

# The suite never touches a database or key it did not make. A learner's shell may hold
# DATABASE_URL for another project: the checkpoints of lessons 09 and 10 would read it, so it is
# removed for this process and the kernels it starts. Lesson 09's notebook reads
# COURSE_DATABASE_URL and tests/test_database.py reads TEST_DATABASE_URL, both meant for
# throwaway databases (see .ci/postgres.sh). JWT_SECRET_KEY goes too: each app draws its own.
for variable in ("DATABASE_URL", "JWT_SECRET_KEY", "ITEMS_PER_MINUTE"):
    os.environ.pop(variable, None)

# On JupyterHub or Binder (`make test` in a hub's terminal), these would change the servers' links
# and the setup check's output: the stored outputs are a laptop's, so the suite runs as on one.
from lessons_support.hub import VARIABLES  # noqa: E402 (after the variables above are gone)

for variable in VARIABLES:
    os.environ.pop(variable, None)

# Exercise checks record a learner's progress (lessons_support/tracking.py) in the notebook's
# folder. The suite's runs must not touch a learner's record: they write to a throwaway folder,
# which the kernels that nbval and the student-copy tests start (and xdist's workers) inherit,
# removed when the run ends.
if "COURSE_PROGRESS_DIR" not in os.environ:
    import atexit
    import shutil
    import tempfile

    os.environ["COURSE_PROGRESS_DIR"] = tempfile.mkdtemp(prefix="course-progress-")
    atexit.register(shutil.rmtree, os.environ["COURSE_PROGRESS_DIR"], ignore_errors=True)
