"""The canonical data model: Arrow schemas of the warehouse tables and the offence taxonomy."""

from beatwise.datamodel.schemas import IDENTITY_FIELDS, TABLES, TableSpec, table_spec

__all__ = ["IDENTITY_FIELDS", "TABLES", "TableSpec", "table_spec"]
