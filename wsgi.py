"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""
import gc

from consult import create_app
from consult.surveys.views.results import FROZEN

app = create_app()
# The modules, classes and templates loaded so far live as long as the process: moved out of the garbage collector's
# generations, every later full collection (a long export makes hundreds) no longer walks them again.
gc.freeze()
app.extensions[FROZEN] = True  # the live results pages then collect the cycles they leave
