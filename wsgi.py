"""WSGI entry point: `gunicorn --preload wsgi:app`, `flask --app wsgi …`."""
import gc
import os

from consult import create_app
from consult.extensions import db
from consult.surveys.views.results import FROZEN

app = create_app()
# The modules, classes and templates loaded so far live as long as the process: moved out of the garbage collector's
# generations, every later full collection (a long export makes hundreds) no longer walks them again.
gc.freeze()
app.extensions[FROZEN] = True  # the live results pages then collect the cycles they leave

# gunicorn --preload imports this module once, in the master, and forks the workers from it (README): a worker then
# counts only the pages of the shared libraries it touches itself, not every one its own import would have read
# (~8 MB less resident per worker). Starting the app opens no database connection; should one ever be pooled
# before a fork, the child forgets it (without closing the parent's) and opens its own.
with app.app_context():
    _engines = tuple(db.engines.values())
os.register_at_fork(after_in_child=lambda: [engine.dispose(close=False) for engine in _engines])
