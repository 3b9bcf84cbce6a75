"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""
import ctypes
import gc

from consult import create_app

# One malloc arena for the whole process (glibc; elsewhere nothing to do), set before gunicorn starts a gthread
# worker's threads. By default each thread gets an arena of its own, and each arena keeps what its requests freed:
# a worker serving the results pages on its 4 threads in turn grew by ~1-2 MB a request; with one arena, memory a
# request freed is reused by the next, whichever thread serves it. The GIL already serialises most allocations.
M_ARENA_MAX = -8
try:
    ctypes.CDLL(None).mallopt(M_ARENA_MAX, 1)
except (AttributeError, OSError):
    pass

app = create_app()
# The modules, classes and templates loaded so far live as long as the process: moved out of the garbage collector's
# generations, every later full collection (a long export makes hundreds) no longer walks them again.
gc.freeze()
