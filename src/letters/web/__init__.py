"""The web view and the JSON API (FastAPI): `create_app(letters)` in `letters.web.app`."""
