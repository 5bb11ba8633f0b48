"""Entry point for gunicorn: `gunicorn wsgi:app`."""

from contest import create_app

app = create_app()
