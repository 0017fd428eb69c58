"""Storage: SQLAlchemy 2 tables, the engine, migrations and the queries the service runs."""
