"""ix plugin: partitioners: range, KaHyPar, Mt-KaHyPar."""
