"""Ingestion: read an export, validate and map it to a canonical table, MERGE it in one commit."""
