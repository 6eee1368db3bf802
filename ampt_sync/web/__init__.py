"""The runner's page."""
