"""The public surface is deliberate: this pins it, and the error tree its docstring draws."""

from __future__ import annotations

import builtins
import re
import types
from pathlib import Path

import truce
import truce._errors
import truce.io.acled
import truce.io.ucdp

PUBLIC_MODULES = {"io", "strategies", "pytest_plugin"}
"""Public submodules of ``truce``; importing them binds them in ``vars(truce)``, which is not re-exporting."""


def test_public_surface_is_pinned() -> None:
    assert sorted(truce.__all__) == [
        "Case",
        "Change",
        "ClauseRef",
        "Columns",
        "Contrast",
        "DepthCase",
        "Difference",
        "Distance",
        "EngineError",
        "EngineUnavailableError",
        "Fact",
        "Finding",
        "Incident",
        "NotRepairable",
        "Outcomes",
        "Position",
        "Problem",
        "Repair",
        "Robustness",
        "Rulebook",
        "RulebookError",
        "RulebookInfo",
        "Scenario",
        "ScenarioError",
        "Timeline",
        "TruceError",
        "Unit",
        "UnknownRulebookError",
        "Verdict",
        "ZoneFinding",
        "contrast",
        "evaluate",
        "json_schema",
        "list_rulebooks",
        "load_data",
        "load_rulebook",
        "load_scenario",
        "plot_timeline",
        "prepare",
        "repair",
        "robustness",
        "sweep",
        "timeline",
    ]


def test_every_public_name_in_vars_is_in_all() -> None:
    """Like httpx's test_exported_members: nothing public leaks into ``truce`` without being in ``__all__``.

    pytest rewrites the asserts of ``truce`` (it hosts a pytest plugin) and binds ``@py_builtins``
    and ``@pytest_ar`` there; names that are not identifiers cannot be imported, so are not surface."""
    public = {
        name
        for name, value in vars(truce).items()
        if name.isidentifier()
        and not name.startswith("_")
        and not (isinstance(value, types.ModuleType) and name in PUBLIC_MODULES)
    }
    assert public == set(truce.__all__)


def test_every_exported_name_is_defined_privately_and_exported_once() -> None:
    assert len(set(truce.__all__)) == len(truce.__all__)
    objects = [vars(truce)[name] for name in truce.__all__]
    assert len({id(obj) for obj in objects}) == len(objects), "one object is exported under two names"
    for name, obj in zip(truce.__all__, objects, strict=True):
        assert not isinstance(obj, types.ModuleType), name
        module = obj.__module__
        assert module == "truce" or re.fullmatch(r"truce\._[a-z][a-z0-9_]*", module), f"{name} is defined in {module}"
        assert obj.__name__ == name, f"{name} is an alias of {obj.__name__}"


def _module_names(root: Path) -> list[tuple[str, ...]]:
    """Every module under the package as its dotted parts after ``truce``, packages by their folder."""
    names = []
    for file in sorted(root.rglob("*.py")):
        parts = file.relative_to(root).with_suffix("").parts
        names.append(parts[:-1] if parts[-1] == "__init__" else parts)
    return names


def test_only_the_public_modules_are_public() -> None:
    public = {(), ("io",), ("strategies",), ("pytest_plugin",)}
    modules = _module_names(Path(truce.__file__).parent)
    assert ("io", "acled") in modules and ("_errors",) in modules
    found_public = set()
    for parts in modules:
        if parts in public or (len(parts) == 2 and parts[0] == "io" and not parts[1].startswith("_")):
            found_public.add(parts)
            continue
        assert any(part.startswith("_") for part in parts), f"truce.{'.'.join(parts)} must be private (_name)"
    assert found_public == public | {("io", "acled"), ("io", "ucdp")}


def _drawn_tree() -> dict[str, tuple[str | None, list[str]]]:
    """The tree in ``_errors``' docstring: class name -> (its parent in the drawing, the builtins it says it is)."""
    doc = truce._errors.__doc__
    assert doc is not None
    tree: dict[str, tuple[str | None, list[str]]] = {}
    stack: list[str] = []
    for line in doc.splitlines():
        match = re.match(r"^ {4}((?:[│ ] {3})*(?:[├└]── )?)([A-Z]\w*Error)\b(.*)$", line)
        if match is None:
            continue
        depth = len(match[1]) // 4
        assert depth <= len(stack), f"a branch skips a level: {line!r}"
        del stack[depth:]
        builtins_named = re.findall(r"\((?:also )?([A-Z]\w*)\)", match[3])
        tree[match[2]] = (stack[-1] if stack else None, builtins_named)
        stack.append(match[2])
    return tree


def _truce_errors() -> dict[str, type[truce.TruceError]]:
    """Every TruceError class reachable from ``truce`` and ``truce.io.acled``, and every subclass defined in truce."""
    found: dict[str, type[truce.TruceError]] = {}
    for module in (truce, truce.io.acled, truce.io.ucdp):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, truce.TruceError):
                found[value.__name__] = value
    pending: list[type[truce.TruceError]] = [truce.TruceError]
    while pending:
        cls = pending.pop()
        if cls.__module__.split(".")[0] == "truce":
            assert found.get(cls.__name__, cls) is cls, f"two error classes named {cls.__name__}"
            found[cls.__name__] = cls
        pending += cls.__subclasses__()
    return found


def test_the_error_tree_drawn_is_the_error_tree() -> None:
    drawn = _drawn_tree()
    actual = _truce_errors()
    assert "AcledError" in actual and "UnknownRulebookError" in actual
    assert sorted(drawn) == sorted(actual)
    assert drawn["TruceError"][0] is None
    for name, (parent, named_builtins) in drawn.items():
        cls = actual[name]
        if parent is not None:
            assert parent in [base.__name__ for base in cls.__bases__], f"{name} is drawn under {parent}"
        truce_bases = [base.__name__ for base in cls.__bases__ if issubclass(base, truce.TruceError)]
        assert truce_bases == ([parent] if parent else []), name
        for builtin in named_builtins:
            assert issubclass(cls, getattr(builtins, builtin)), f"{name} is drawn as a {builtin}"


def test_every_error_is_a_truce_error_and_a_value_error() -> None:
    errors = _truce_errors()
    assert len(errors) >= 7
    for error in errors.values():
        assert issubclass(error, truce.TruceError)
        assert issubclass(error, ValueError)
    assert issubclass(truce.EngineError, RuntimeError)


def test_a_scenario_object_evaluates_like_its_dict() -> None:
    data = {"agreement": "idlib-2019", "as_of": "2019-08-03T12:00:00+03:00",
            "units": [{"id": "u", "party": "hts", "kind": "tank", "zone": "buffer"}]}
    assert truce.evaluate(truce.Scenario.model_validate(data)) == truce.evaluate(data)
