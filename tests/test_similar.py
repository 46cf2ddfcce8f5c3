"""Structural peers (nqpf similar): one row of the similarity and Krugman matrices, equal to
SciPy's distances, on the result protocol, cached by spec_hash."""

from __future__ import annotations

import json

import jsonschema
import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import cdist

from nqpf.errors import InputError
from nqpf.industry.matrix import to_wide
from nqpf.industry.structure import krugman_dissimilarity, peers, similarity
from nqpf.results import JSON_SCHEMA
from nqpf.services.industry import SimilaritySpec, similar
from nqpf.services.matrices import census_matrix


@pytest.fixture(scope="module")
def counties() -> pd.DataFrame:
    return to_wide(census_matrix(2020, level="county"))


def test_peers_row_equals_scipy_distances(counties: pd.DataFrame) -> None:
    s = counties.div(counties.sum(axis=1), axis=0).to_numpy()
    i = counties.index.get_loc("340123")  # 肥西县
    cosine = 1.0 - cdist(s[i : i + 1], s, "cosine")[0]
    cityblock = cdist(s[i : i + 1], s, "cityblock")[0]
    found = peers(counties, "340123", n=len(counties))
    assert len(found) == len(counties) - 1 and "340123" not in found.index
    expected = pd.DataFrame({"similarity": cosine, "krugman": cityblock}, index=counties.index)
    expected = expected.drop("340123").loc[found.index]
    np.testing.assert_allclose(found["similarity"], expected["similarity"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(found["krugman"], expected["krugman"], rtol=0, atol=1e-12)
    assert found["similarity"].is_monotonic_decreasing


def test_full_matrices_agree_with_the_rows() -> None:
    t = to_wide(census_matrix(2020, level="province"))
    row = peers(t, "340000", n=40)
    sim = similarity(t)["340000"].drop("340000")
    kru = krugman_dissimilarity(t)["340000"].drop("340000")
    np.testing.assert_allclose(row["similarity"], sim[row.index], atol=1e-12)
    np.testing.assert_allclose(row["krugman"], kru[row.index], atol=1e-12)
    # identities: K_ii = 0, symmetric, within [0, 2]
    k = krugman_dissimilarity(t).to_numpy()
    assert np.allclose(np.diag(k), 0) and np.allclose(k, k.T) and k.max() <= 2


def test_similar_service_result_and_cache() -> None:
    spec = SimilaritySpec(region="肥西县", matrix="census2020", top=3)
    result = similar(spec)
    assert result.region == "340123" and result.region_label == "肥西县"
    assert result.peers["region"].tolist()[0] == "441203"  # 鼎湖区, similarity 0.995
    assert result.peers["region_name"].iloc[0] == "鼎湖区"
    assert result.n_regions > 2900
    doc = json.loads(result.to_json())
    jsonschema.validate(doc, JSON_SCHEMA)
    assert doc["kind"] == "similarity" and doc["spec"]["top"] == 3
    again = similar(SimilaritySpec(region="340123", matrix="census2020", top=3))
    assert again is result  # same region, data and options: the cached result


def test_similar_spec_is_validated() -> None:
    with pytest.raises(InputError, match="top"):
        SimilaritySpec(region="安徽", top=0)
