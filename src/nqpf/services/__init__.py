"""Services (floor 2): load data, run an analysis from its options, return result tables."""
