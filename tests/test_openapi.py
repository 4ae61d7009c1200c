"""/api/openapi.json (monitor/web/openapi.py) describes every route of the API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.routing import Route

from monitor.config import loader
from monitor.web import api
from monitor.web.app import create_app
from monitor.web.openapi import document


@pytest.fixture
def app_routes(tmp_path: Path) -> list[Route]:
    config = tmp_path / "sources.yaml"
    config.write_text("sources:\n  - id: a\n    url: https://example.org/a\n")
    app = create_app(loader.load(config))
    return [r for r in app.routes if isinstance(r, Route) and r.path.startswith("/api/")
            and r.name != "api_none"]  # the JSON 404/405 for every other path


def test_it_is_json_and_openapi_3_1() -> None:
    described = json.loads(json.dumps(document()))
    assert described["openapi"] == "3.1.0"
    assert described["security"] == [{"bearer": []}]
    assert described["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer",
        "description": described["components"]["securitySchemes"]["bearer"]["description"]}


def test_every_api_route_and_method_is_described(app_routes: list[Route]) -> None:
    paths = document()["paths"]
    assert app_routes
    for route in app_routes:
        assert route.path in paths, route.path
        for method in (route.methods or set()) - {"HEAD"}:
            assert method.lower() in paths[route.path], (method, route.path)
    assert set(paths) == {route.path for route in app_routes}
    assert len(api.ENDPOINTS) == len(app_routes)


def test_every_path_parameter_is_named_and_every_answer_has_a_shape() -> None:
    described = document()
    schemas = described["components"]["schemas"]
    for path, operations in described["paths"].items():
        for method, operation in operations.items():
            named = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            wanted = {part[1:-1] for part in path.split("/") if part.startswith("{")}
            assert named == wanted, (method, path)
            assert "200" in operation["responses"] or "201" in operation["responses"]
            if path != "/api/openapi.json":
                assert "401" in operation["responses"], (method, path)
            for answer in operation["responses"].values():
                for content in answer.get("content", {}).values():
                    ref = content["schema"].get("$ref", "")
                    assert not ref or ref.rsplit("/", 1)[1] in schemas


def test_every_reference_resolves() -> None:
    described = document()
    text = json.dumps(described)
    names = {part.split('"', 1)[0] for part in text.split('"#/components/schemas/')[1:]}
    assert names <= set(described["components"]["schemas"])
