"""ix plugin: the Zisk zkVM backend."""
