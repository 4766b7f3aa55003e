"""ember's operations, one module per family; ``ember`` re-exports their public names."""
