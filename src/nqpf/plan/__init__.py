"""Planning core (全国一盘棋): national layout of priority industries (:mod:`.layout`),
herding detection (:mod:`.herding`) and target tracking (:mod:`.targets`). Pure functions
on DataFrames; the services floor loads the data."""
