"""The web view and the JSON API (FastAPI): `create_app(settings)` in `letters.web.app`."""
