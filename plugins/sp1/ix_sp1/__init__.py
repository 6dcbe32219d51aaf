"""ix plugin: the experimental SP1 backend."""
