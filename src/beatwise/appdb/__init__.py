"""The app database: what people create in the app, through SQLAlchemy 2 and Alembic."""
