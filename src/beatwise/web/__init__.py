"""The web app: FastAPI routers, Jinja2 templates and the JSON API under ``/api/v1``.

Build it with :func:`beatwise.web.app.create_app`; nothing here reads configuration at import.
"""
