"""``truce serve``: the library as an HTTP JSON API, on FastAPI and uvicorn (the ``serve`` extra).

Bodies are scenarios as a file holds them, in JSON (or YAML, sent as ``application/yaml``), of at most ``MAX_BODY`` bytes. Rulebooks are
named by bundled id only (``prepare(..., files=False)``): nothing a request says makes the server read a file. Bad input is a 422
listing every ``Problem``; evaluation runs in a thread pool, off the event loop.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import math
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from ._case import prepare
from ._contrast import Contrast, contrast
from ._errors import EngineError, Problem, ScenarioError, TruceError, UnknownRulebookError
from ._evaluate import evaluate, verdicts_by_reading
from ._load import bundled_ids, list_rulebooks, load_rulebook, unknown_bundled
from ._page import page_html, page_view
from ._provenance import SCHEMA_VERSION, Provenance, truce_version
from ._repair import Repair, repair
from ._robustness import Robustness, robustness
from ._schema import SchemaName, json_schema
from ._source import Document, parse_text
from ._timeline import Timeline, timeline
from ._verdict import Verdict

__all__ = ["MAX_BODY", "create_app", "run"]

MAX_BODY = 8 * 1024 * 1024
"""The largest request body accepted, in bytes (as for a scenario file)."""

_SCENARIO_BODY = {
    "required": True,
    "content": {"application/json": {"schema": {
        "type": "object", "description": "A scenario as a file holds it, in JSON (its schema: GET /v1/schema/scenario)."}}},
}  # fmt: skip
_YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml")
_PROBLEMS = {"description": "Bad input: every problem, with its path, message and suggestion."}


class _TooLarge(Exception):
    """A request body over ``MAX_BODY`` bytes."""


def _problems_response(status: int, error: str, problems: Sequence[Problem]) -> JSONResponse:
    """An error answer: one line, then every problem as JSON."""
    return JSONResponse(status_code=status, content={"error": error, "problems": [_problem_json(p) for p in problems]})


def _problem_json(problem: Problem) -> dict[str, Any]:
    """A problem as JSON; a value JSON cannot hold as it is (an object, NaN, infinity) as its text."""
    plain = problem.value is None or isinstance(problem.value, str | int | bool) or (
        isinstance(problem.value, float) and math.isfinite(problem.value))
    value = problem.value if plain else str(problem.value)
    return {"path": problem.path, "message": problem.message, "value": value, "suggestion": problem.suggestion,
            "file": problem.file, "line": problem.line}  # fmt: skip


def _json(model: BaseModel) -> Response:
    return Response(model.model_dump_json(), media_type="application/json")


async def _scenario(request: Request) -> dict[str, Any]:
    """The request's body: a JSON object of at most ``MAX_BODY`` bytes, or a problem."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise _TooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise _TooLarge
    if request.headers.get("content-type", "").split(";")[0].strip() in _YAML_TYPES:
        try:
            data = parse_text(body.decode("utf-8"), "<request>", ScenarioError).data
        except UnicodeDecodeError as exc:
            raise ScenarioError.from_problems("the body is not UTF-8", [Problem("", str(exc), suggestion="send UTF-8 text")]) from None
        return _object(data)
    try:
        data = json.loads(body, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise ScenarioError.from_problems("the body is not JSON", [Problem(
            "", f"not valid JSON: {exc}", suggestion="send the scenario as a JSON object (Content-Type: application/json)")]) from None
    return _object(data)


def _object(data: object) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ScenarioError.from_problems("the body is not a scenario", [Problem(
            "", f"expected a JSON object, got {type(data).__name__}", suggestion="send one scenario as a JSON object")])
    return data


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def _instant(name: str, text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ScenarioError.from_problems(f"bad {name}", [Problem(
            name, "not an ISO 8601 time", value=text, suggestion="e.g. 2019-08-02T00:00:00+03:00")]) from None


def create_app(token: str | None = None, cors_origins: Sequence[str] = (), tiles: str | None = None) -> FastAPI:
    """The API and the map page at ``/`` (with ``tiles``, a basemap tile URL); with ``token``, every request but the
    page's must carry ``Authorization: Bearer <token>``; with ``cors_origins``, browsers on those origins may call
    it (CORS is off otherwise)."""
    html = page_html(None, tiles)
    app = FastAPI(title="truce", version=truce_version(), description="Evaluate ceasefire terms against scenario states.")

    @app.middleware("http")
    async def _guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        """Check the token on every request; say which truce and JSON schema answered."""
        if token is not None and request.url.path != "/":  # the page holds no data; it asks for the token
            given = request.headers.get("authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
                answer: Response = _problems_response(401, "not authorised", [Problem(
                    "Authorization", "missing or wrong bearer token", suggestion="send 'Authorization: Bearer <token>'")])
                answer.headers["WWW-Authenticate"] = "Bearer"
                return answer
        answer = await call_next(request)
        answer.headers["X-Truce-Version"] = truce_version()
        answer.headers["X-Truce-Schema-Version"] = SCHEMA_VERSION
        return answer

    if cors_origins:  # outside the token check, so a browser's preflight (which carries no token) is answered
        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"])  # fmt: skip

    @app.exception_handler(TruceError)
    async def _bad_input(request: Request, exc: TruceError) -> JSONResponse:
        if isinstance(exc, EngineError):
            return _problems_response(500, f"internal error, please report it: {str(exc).splitlines()[0]}", exc.problems)
        named_in_path = request.url.path.startswith(("/v1/rulebooks/", "/v1/contrast/"))
        status = 404 if isinstance(exc, UnknownRulebookError) and named_in_path else 422
        return _problems_response(status, str(exc).splitlines()[0], exc.problems)

    @app.exception_handler(_TooLarge)
    async def _too_large(request: Request, exc: _TooLarge) -> JSONResponse:
        return _problems_response(413, "the body is too large", [Problem(
            "", f"the body is over {MAX_BODY} bytes", suggestion="split the state, or evaluate it with the library")])

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [Problem(".".join(str(part) for part in e["loc"]), e["msg"]) for e in exc.errors()]
        return _problems_response(422, "invalid request", problems)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        return _problems_response(500, "internal error, please report it", [])

    @app.post("/v1/evaluate", openapi_extra={"requestBody": _SCENARIO_BODY}, responses={200: {"model": Verdict}, 422: _PROBLEMS})
    async def evaluate_state(request: Request, reading: str | None = None, rules: str | None = None,
                             engine: str | None = None) -> Response:  # fmt: skip
        """The verdict on a scenario, clause by clause, with its provenance."""
        data = await _scenario(request)
        return _json(await run_in_threadpool(lambda: evaluate(prepare(data, rules, reading, files=False), engine=engine)))

    @app.post("/v1/readings", openapi_extra={"requestBody": _SCENARIO_BODY}, responses={422: _PROBLEMS})
    async def readings(request: Request, rules: str | None = None, engine: str | None = None) -> Response:
        """The verdict under every reading of the rulebook, by reading, the scenario's own first."""
        data = await _scenario(request)
        verdicts = await run_in_threadpool(lambda: verdicts_by_reading(prepare(data, rules, files=False), engine=engine))
        return Response("{" + ", ".join(f'"{v.reading}": {v.model_dump_json()}' for v in verdicts) + "}", media_type="application/json")

    @app.post("/v1/timeline", openapi_extra={"requestBody": _SCENARIO_BODY}, responses={200: {"model": Timeline}, 422: _PROBLEMS})
    async def timeline_of(request: Request, *, reading: str | None = None, rules: str | None = None, start: str | None = None,
                          end: str | None = None, engine: str | None = None) -> Response:  # fmt: skip
        """The status over time of a scenario whose units and incidents form a log."""
        data = await _scenario(request)
        found = await run_in_threadpool(lambda: timeline(
            prepare(data, rules, reading, files=False), start=_instant("start", start), end=_instant("end", end), engine=engine))
        return _json(found)

    @app.post("/v1/repair", openapi_extra={"requestBody": _SCENARIO_BODY}, responses={200: {"model": Repair}, 422: _PROBLEMS})
    async def repair_of(request: Request, reading: str | None = None, rules: str | None = None,
                        engine: str | None = None) -> Response:  # fmt: skip
        """What would make the verdict hold: the changes per party, each with its clause, and the verdict they yield."""
        data = await _scenario(request)
        return _json(await run_in_threadpool(lambda: repair(prepare(data, rules, reading, files=False), engine=engine)))

    @app.post("/v1/robustness", openapi_extra={"requestBody": _SCENARIO_BODY},
              responses={200: {"model": Robustness}, 422: _PROBLEMS})  # fmt: skip
    async def robustness_of(request: Request, reading: str | None = None, rules: str | None = None,
                            margin_km: float | None = None, engine: str | None = None) -> Response:  # fmt: skip
        """Whether the verdict survives zone edges moved by ``margin_km`` (default: each zone's uncertainty) and the
        other depths the text allows, and the items whose side of a line decides it."""
        data = await _scenario(request)
        return _json(await run_in_threadpool(
            lambda: robustness(prepare(data, rules, reading, files=False), margin_km=margin_km, engine=engine)))

    @app.get("/v1/contrast/{rulebook_id}", responses={200: {"model": Contrast}, 404: _PROBLEMS, 422: _PROBLEMS})
    async def contrast_of(rulebook_id: str, a: str, b: str, engine: str | None = None) -> Response:
        """Where readings ``a`` and ``b`` of a bundled rulebook part, each difference with a witness state."""
        if rulebook_id not in bundled_ids():
            raise unknown_bundled(rulebook_id, Document(None, None), ("rulebook_id",))
        return _json(await run_in_threadpool(lambda: contrast(load_rulebook(rulebook_id), a, b, engine=engine)))

    @app.post("/v1/view", openapi_extra={"requestBody": _SCENARIO_BODY}, responses={422: _PROBLEMS})
    async def view(request: Request, reading: str | None = None, rules: str | None = None) -> Response:
        """What the map page shows of a scenario under a reading: the verdict, its GeoJSON, lines, towns, frame,
        readings, the timeline when the state has incidents, its repair and its robustness."""
        data = await _scenario(request)
        found = await run_in_threadpool(lambda: page_view(prepare(data, rules, reading, files=False)))
        return Response(json.dumps(found), media_type="application/json")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> HTMLResponse:
        """The interactive map page; it evaluates the scenario dropped on it through ``/v1/view``."""
        return HTMLResponse(html)

    @app.get("/v1/rulebooks")
    def rulebooks() -> list[dict[str, Any]]:
        """The bundled rulebooks: id, title, date, first source, and the hashes of their files."""
        return [{"id": i.id, "title": i.title, "date": i.date, "source": i.source,
                 "provenance": Provenance.of(load_rulebook(i.id)).model_dump()} for i in list_rulebooks()]  # fmt: skip

    @app.get("/v1/rulebooks/{rulebook_id}", responses={404: _PROBLEMS})
    def rulebook(rulebook_id: str) -> dict[str, Any]:
        """A bundled rulebook: its vocabulary, zones, readings and clauses, with the hashes of its files."""
        if rulebook_id not in bundled_ids():
            raise unknown_bundled(rulebook_id, Document(None, None), ("rulebook_id",))
        book = load_rulebook(rulebook_id)
        return {"rulebook": book.model_dump(mode="json"), "provenance": Provenance.of(book).model_dump()}

    @app.get("/v1/schema/{name}")
    def schema(name: SchemaName) -> dict[str, Any]:
        """The JSON Schema of scenario or rulebook files."""
        return json_schema(name)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        """Whether the server answers, and which truce and JSON schema it speaks."""
        return {"status": "ok", "truce": truce_version(), "schema_version": SCHEMA_VERSION}

    return app


def run(host: str, port: int, token_file: Path | None = None, cors_origins: Sequence[str] = (), tiles: str | None = None) -> None:
    """Serve the API until interrupted; binding to anything but loopback needs ``token_file``."""
    token = _read_token(token_file) if token_file is not None else None
    if token is None and not _loopback(host):
        raise TruceError.from_problems(f"refusing to serve on {host} without a token", [Problem(
            "--host", "anything but a loopback address can be reached by others", value=host,
            suggestion="pass --token-file with a secret, or --host 127.0.0.1")])  # fmt: skip
    uvicorn.run(create_app(token, cors_origins, tiles), host=host, port=port, log_level="info", server_header=False)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _read_token(path: Path) -> str:
    """The secret in a token file (surrounding white space removed); an error if it is unreadable or short."""
    try:
        token = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise TruceError.from_problems(f"cannot read {path}", [Problem("--token-file", f"cannot read it: {exc}", file=str(path))]) from None
    if len(token) < 16 or any(c.isspace() or not c.isprintable() for c in token):
        raise TruceError.from_problems(f"unusable token in {path}", [Problem(
            "--token-file", "the token must be at least 16 printable characters without spaces", file=str(path),
            suggestion="write one, e.g. python -c 'import secrets; print(secrets.token_urlsafe())' > token")])  # fmt: skip
    return token
