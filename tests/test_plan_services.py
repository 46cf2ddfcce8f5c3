"""The layout and target services on the packaged data."""

from __future__ import annotations

import pytest

from nqpf.services.plan import layout, targets


def test_layout_on_packaged_data_keeps_every_limit() -> None:
    result = layout(k=5, hubs_min=1, hubs_max=6, per_group=2)
    pairs = result.to_frame()
    assert pairs.groupby("region").size().max() <= 5
    hubs = pairs.groupby("industry").size()
    assert hubs.min() >= 1 and hubs.max() <= 6
    assert len(result.tables()["industries"]) == 110
    status = set(result.tables()["vs_declared"]["status"])
    assert status <= {"both", "declared_only", "recommended_only"}
    assert "exact here" in result.notes[1]


def test_targets_national_rd_intensity() -> None:
    result = targets("rd_intensity", target=3.2, by=2030, regions=["全国"])
    row = result.to_frame().iloc[0]
    assert row["latest_year"] == 2024 and row["latest"] == pytest.approx(2.68, abs=0.02)
    assert row["required_growth"] == pytest.approx((3.2 / row["latest"]) ** (1 / 6) - 1)
    assert row["projection_lower"] < row["projection"] < row["projection_upper"]
