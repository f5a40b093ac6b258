"""Command-line checks that CI runs: `python -m item_store.scripts.<name> --help`."""
