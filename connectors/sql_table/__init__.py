"""The SQL-table sink: leads upserted into a table a sales team (or a BI tool) can query."""
