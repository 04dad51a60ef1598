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


def test_no_two_api_schemas_share_a_name():
    """The OpenAPI document keeps one component per schema name: a second app's schema of the
    same name silently replaces the first's in the document (it happened twice while lectures
    was built). Every schema class of the product's API has a name of its own."""
    from collections import defaultdict

    from ninja import Schema

    import rongxin.config.api  # noqa: F401  (imports every app's API)

    def subclasses(cls: type) -> list[type]:
        found = []
        for sub in cls.__subclasses__():
            found += [sub, *subclasses(sub)]
        return found

    modules: dict[str, set[str]] = defaultdict(set)
    for schema in subclasses(Schema):
        if schema.__module__.startswith("rongxin.") and ".tests." not in schema.__module__:
            modules[schema.__name__].add(schema.__module__)
    assert {name: sorted(m) for name, m in modules.items() if len(m) > 1} == {}
