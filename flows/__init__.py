"""Prefect flows: thin orchestration over pipeline/. The CLI imports flows, never the other way round."""
