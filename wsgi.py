"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""
from consult import create_app

app = create_app()
