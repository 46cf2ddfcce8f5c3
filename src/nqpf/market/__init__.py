"""The market floor-1 logic: enterprise directory filters, supply/demand posts and matching."""
