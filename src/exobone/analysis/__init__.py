"""Analysis on top of simulations: the scorecard against curated experiments, and more."""
