"""Sub-commands of the ``metroscope`` CLI, one module per domain."""
