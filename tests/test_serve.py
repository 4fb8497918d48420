"""``truce serve`` as a real process on a free loopback port: every example, bad bodies, concurrency, the token."""

from __future__ import annotations

import asyncio
import http.client
import json
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

import truce
from serving import Server, free_port, serving
from truce._evaluate import verdicts_by_reading
from truce._page import page_view
from truce._schema import SchemaName, json_schema

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("**/*.yaml"))
SCENARIOS = [p for p in EXAMPLES if "as_of" in (yaml.safe_load(p.read_text(encoding="utf-8")) or {})]
TOKEN = "a-test-token-of-some-length"


def _as_json(path: Path) -> dict[str, Any]:
    """A scenario file as a client would send it: YAML read safely, times as strings."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=lambda v: str(v) if isinstance(v, datetime) else v.isoformat()))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    token_file = tmp_path_factory.mktemp("serve") / "token"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    with serving("--token-file", str(token_file), token=TOKEN) as running:
        yield running


def test_every_example_gives_the_verdict_of_truce_evaluate(server: Server) -> None:
    assert len(SCENARIOS) > 60
    for path in SCENARIOS:
        answer = server.post("/v1/evaluate", _as_json(path))
        assert answer.status == 200, (path, answer.body)
        assert answer.text == truce.evaluate(path).model_dump_json(), path


def test_readings_timeline_and_query_options_match_the_library(server: Server) -> None:
    path = ROOT / "examples" / "idlib-2019" / "03-nfl-keeps-medium-weapons.yaml"
    readings = server.post("/v1/readings?engine=python", _as_json(path)).body
    assert readings == {v.reading: json.loads(v.model_dump_json()) for v in verdicts_by_reading(path, engine="python")}
    assert list(readings) == ["sochi", "government"]
    chosen = server.post("/v1/evaluate?reading=government&rules=idlib-2019", _as_json(path))
    assert chosen.text == truce.evaluate(path, reading="government").model_dump_json()
    start = "2019-08-01T00:00:00+03:00"
    line = server.post(f"/v1/timeline?reading=government&start={start.replace('+', '%2B')}", _as_json(path))
    assert line.text == truce.timeline(path, reading="government", start=datetime.fromisoformat(start)).model_dump_json()


def test_repair_robustness_and_contrast_match_the_library(server: Server) -> None:
    path = ROOT / "examples" / "idlib-2019" / "12-what-it-would-take.yaml"
    for reading in ("sochi", "government"):
        fix = server.post(f"/v1/repair?reading={reading}&engine=python", _as_json(path))
        assert fix.text == truce.repair(path, reading=reading, engine="python").model_dump_json()
        sure = server.post(f"/v1/robustness?reading={reading}&margin_km=7", _as_json(path))
        assert sure.text == truce.robustness(path, reading=reading, margin_km=7).model_dump_json()
        assert not sure.body["stable"] and {"hts-bn-1", "nfl-art-1"} <= set(sure.body["deciding"])
    parts = server.call("GET", "/v1/contrast/idlib-2019?a=sochi&b=government")
    assert parts.text == truce.contrast("idlib-2019", "sochi", "government").model_dump_json()
    assert server.call("GET", "/v1/contrast/idlib?a=sochi&b=government").status == 404
    bad_reading = server.call("GET", "/v1/contrast/idlib-2019?a=sochi&b=govt")
    assert bad_reading.status == 422 and "government" in (bad_reading.body["problems"][0]["suggestion"] or "")
    for margin in ("-1", "far", "nan"):
        bad = server.post(f"/v1/robustness?margin_km={margin}", _as_json(path))
        assert bad.status == 422 and bad.body["problems"], (margin, bad.body)
    assert server.post("/v1/repair?rules=../rules/idlib-2019.yaml", _as_json(path)).status == 422


def test_rulebooks_schemas_health_and_openapi(server: Server) -> None:
    listed = server.call("GET", "/v1/rulebooks").body
    assert [r["id"] for r in listed] == [i.id for i in truce.list_rulebooks()]
    assert all(r["provenance"]["files"] == truce.load_rulebook(r["id"]).files for r in listed)
    book = server.call("GET", "/v1/rulebooks/karabakh-2020").body
    assert book["rulebook"] == truce.load_rulebook("karabakh-2020").model_dump(mode="json")
    assert book["provenance"]["rulebook"] == "karabakh-2020"
    for name in SchemaName:
        assert server.call("GET", f"/v1/schema/{name.value}").body == json_schema(name)
    health = server.call("GET", "/healthz")
    assert health.body["status"] == "ok" and health.headers["x-truce-schema-version"] == "1"
    paths = server.call("GET", "/openapi.json").body["paths"]
    assert {"/v1/evaluate", "/v1/readings", "/v1/timeline", "/v1/repair", "/v1/robustness", "/v1/contrast/{rulebook_id}",
            "/v1/view", "/v1/rulebooks", "/v1/rulebooks/{rulebook_id}", "/v1/schema/{name}", "/healthz"} <= set(paths)  # fmt: skip


def test_the_page_is_served_without_the_token_and_its_view_needs_it(server: Server) -> None:
    page = server.call("GET", "/", token="")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    assert '"mode": "served"' in page.text and "Leaflet 1.9.4" in page.text
    path = ROOT / "examples" / "idlib-2019" / "03-nfl-keeps-medium-weapons.yaml"
    assert server.post("/v1/view", _as_json(path), token="").status == 401
    for reading in ("sochi", "government"):
        view = server.post(f"/v1/view?reading={reading}", _as_json(path))
        assert view.status == 200, view.body
        assert view.body == json.loads(json.dumps(page_view(truce.prepare(path, reading=reading))))


def test_a_yaml_body_is_read_safely_as_a_file_would_be(server: Server) -> None:
    path = ROOT / "examples" / "idlib-2019" / "03-nfl-keeps-medium-weapons.yaml"
    answer = server.call("POST", "/v1/evaluate?reading=government", path.read_bytes(), content_type="application/yaml")
    assert answer.status == 200, answer.body
    assert answer.text == truce.evaluate(path, reading="government").model_dump_json()
    tagged = b"agreement: !!python/object/apply:os.system ['true']\nas_of: 2019-08-03T12:00:00+03:00\n"
    refused = server.call("POST", "/v1/evaluate", tagged, content_type="application/yaml")
    assert refused.status == 422 and refused.body["problems"], refused.body
    not_utf8 = server.call("POST", "/v1/evaluate", b"\xff\xfe", content_type="application/yaml")
    assert not_utf8.status == 422 and not_utf8.body["error"].startswith("the body is not UTF-8")


def _good() -> dict[str, Any]:
    return _as_json(ROOT / "examples" / "idlib-2019" / "02-jihadists-stay-in-buffer.yaml")


BAD_BODIES: dict[str, tuple[bytes, str, str, str | None]] = {
    # name: (body, query, the path of a problem, a word of its suggestion)
    "wrong types": (json.dumps({**_good(), "as_of": 5, "units": [{"id": "a", "party": "hts", "kind": "fighters", "count": "3"}]}).encode(),
                    "", "units[0].count", None),
    "unknown ids": (json.dumps({**_good(), "units": [{"id": "a", "party": "htz", "kind": "fighters"}]}).encode(),
                    "", "units[0].party", "did you mean 'hts'?"),
    "unknown agreement": (json.dumps({**_good(), "agreement": "idlib-2091"}).encode(), "", "agreement", "did you mean 'idlib-2019'?"),
    "a rulebook path": (json.dumps(_good()).encode(), "?rules=../rules/idlib-2019.yaml", "rules", "expected one of"),
    "a file as agreement": (json.dumps({**_good(), "agreement": "pyproject.toml"}).encode(), "", "agreement", "expected one of"),
    "unknown reading": (json.dumps(_good()).encode(), "?reading=sochy", "reading", "did you mean 'sochi'?"),
    "unknown engine": (json.dumps(_good()).encode(), "?engine=drools", "engine", None),
    "invalid JSON": (b'{"agreement": "idlib-2019",', "", "", "JSON object"),
    "YAML tags": (b"agreement: !!python/object/apply:os.system ['true']\nas_of: 2019-08-03T12:00:00+03:00\n", "", "", "JSON object"),
    "not an object": (b"[1, 2]", "", "", "JSON object"),
    "NaN": (json.dumps({**_good(), "units": [{"id": "a", "party": "hts", "kind": "fighters", "count": float("nan")}]}).encode(),
            "", "", "JSON object"),
    "deep nesting": (b"[" * 100_000 + b"]" * 100_000, "", "", "JSON object"),
    "empty": (b"", "", "", "JSON object"),
}


@pytest.mark.parametrize("name", BAD_BODIES)
def test_bad_input_is_a_422_listing_every_problem(server: Server, name: str) -> None:
    body, query, path, hint = BAD_BODIES[name]
    answer = server.call("POST", f"/v1/evaluate{query}", body)
    assert answer.status == 422, answer.body
    problems = answer.body["problems"]
    assert problems and all({"path", "message", "suggestion"} <= set(p) for p in problems)
    found = [p for p in problems if p["path"] == path]
    assert found, problems
    if hint is not None:
        assert any(hint in (p["suggestion"] or "") for p in found), found


def test_wrong_types_report_every_problem(server: Server) -> None:
    body, _, _, _ = BAD_BODIES["wrong types"]
    paths = {p["path"] for p in server.call("POST", "/v1/evaluate", body).body["problems"]}
    assert {"as_of", "units[0].count"} <= paths


def test_a_20_mib_body_is_refused_with_413(server: Server) -> None:
    padding = {**_good(), "description": "x" * (20 << 20)}
    answer = server.post("/v1/evaluate", padding)
    assert answer.status == 413
    assert answer.body["problems"][0]["message"].startswith("the body is over")
    assert server.call("GET", "/healthz").status == 200


def test_unknown_rulebooks_and_schemas_are_4xx_with_problems(server: Server) -> None:
    missing = server.call("GET", "/v1/rulebooks/idlib")
    assert missing.status == 404 and missing.body["problems"][0]["suggestion"] == "did you mean 'idlib-2019'?"
    assert server.call("GET", "/v1/schema/scenarios").status == 422
    bad_start = server.post("/v1/timeline?start=yesterday", _good())
    assert bad_start.status == 422 and bad_start.body["problems"][0]["path"] == "start"


def test_fifty_concurrent_requests_each_get_their_own_verdict(server: Server) -> None:
    paths = [SCENARIOS[i % len(SCENARIOS)] for i in range(50)]
    expected = {p: truce.evaluate(p).model_dump_json() for p in set(paths)}
    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(lambda p: server.post("/v1/evaluate", _as_json(p)), paths))
    assert [(a.status, a.text) for a in answers] == [(200, expected[p]) for p in paths]


def test_every_request_needs_the_token(server: Server) -> None:
    for token in ("", "wrong", TOKEN + "x"):
        answer = server.call("GET", "/healthz", token=token)
        assert answer.status == 401 and answer.body["problems"][0]["path"] == "Authorization"
    assert server.post("/v1/evaluate", _good(), token="").status == 401


def test_cors_is_off_by_default(server: Server) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    connection.request("GET", "/healthz", headers={"Origin": "https://example.org", "Authorization": f"Bearer {TOKEN}"})
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.getheader("access-control-allow-origin") is None


def test_serving_beyond_loopback_needs_a_token() -> None:
    run = subprocess.run([sys.executable, "-m", "truce", "serve", "--host", "0.0.0.0", "--port", str(free_port())],
                         capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert run.returncode == 3, run.stderr
    assert "--token-file" in run.stderr and "Traceback" not in run.stderr


def _asgi_call(app: Any, method: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    """One request straight to an ASGI app (no server, no client library): its status and headers."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "server": ("127.0.0.1", 80),
             "client": ("127.0.0.1", 1), "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}  # fmt: skip
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}


def test_cors_when_asked_answers_a_preflight_without_the_token_but_not_the_request() -> None:
    from truce._serve import create_app  # noqa: PLC0415  (the serve extra)

    app = create_app(TOKEN, ["https://desk.example.org"])
    origin = {"Origin": "https://desk.example.org"}
    status, headers = _asgi_call(app, "OPTIONS", "/healthz", {**origin, "Access-Control-Request-Method": "GET"})
    assert status == 200 and headers["access-control-allow-origin"] == "https://desk.example.org"
    assert _asgi_call(app, "GET", "/healthz", origin)[0] == 401
    assert _asgi_call(app, "GET", "/healthz", {**origin, "Authorization": f"Bearer {TOKEN}"})[0] == 200
    other = {"Origin": "https://other.example.org", "Access-Control-Request-Method": "GET"}
    assert "access-control-allow-origin" not in _asgi_call(app, "OPTIONS", "/healthz", other)[1]
