"""The engine: load, validate and model the knowledge base; facts; consistency; bundles."""
