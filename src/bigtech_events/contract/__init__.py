"""The dataset's contract: the Table Schemas in ``schemas/`` and what is read from them."""
