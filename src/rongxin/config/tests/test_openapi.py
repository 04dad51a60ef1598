from rongxin.config.openapi import SNAPSHOT, render


def test_openapi_document_matches_the_committed_snapshot():
    # When this fails on purpose, run `make openapi` and commit docs/openapi.json.
    assert render() == SNAPSHOT.read_text()


def test_every_operation_has_an_operation_id():
    import json

    doc = json.loads(render())
    ids = [op.get("operationId") for path in doc["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    assert all(ids)
