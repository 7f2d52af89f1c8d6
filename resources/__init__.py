"""zsdesk's bundled files, installed as the package ``zsdesk._resources``.

Nothing to import: ``zsdesk.resources`` finds the files beside this one through
``importlib.resources`` (see setup.py and pyproject.toml's package-data).
"""
