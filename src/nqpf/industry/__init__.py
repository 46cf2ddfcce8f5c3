"""因地制宜 industry opportunities: comparative advantage, relatedness, complexity, typing."""
