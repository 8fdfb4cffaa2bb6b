"""Channel renderers: one module per channel (they arrive with the renderer issue)."""
