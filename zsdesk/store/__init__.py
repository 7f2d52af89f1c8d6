"""The store: SQLAlchemy models, opening files, migrations and the services that write."""
