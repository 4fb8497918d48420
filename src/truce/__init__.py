"""truce: evaluate ceasefire terms, encoded as declarative rules, against scenario states.

    >>> import truce
    >>> verdict = truce.evaluate("examples/idlib-2019/01-holds-after-withdrawal.yaml")
    >>> verdict.status, verdict.holds
    ('holds', True)
"""

from ._case import Case, prepare
from ._chart import plot_timeline
from ._columns import Columns
from ._contrast import Contrast, Difference, contrast
from ._errors import EngineError, EngineUnavailableError, Problem, RulebookError, ScenarioError, TruceError, UnknownRulebookError
from ._evaluate import evaluate
from ._load import RulebookInfo, list_rulebooks, load_rulebook, load_scenario
from ._repair import Change, ClauseRef, Fact, NotRepairable, Repair, repair
from ._robustness import DepthCase, Distance, Robustness, ZoneFinding, robustness
from ._rulebook import Rulebook
from ._scenario import Incident, Position, Scenario, Unit
from ._schema import json_schema, load_data
from ._sweep import Outcomes, sweep
from ._timeline import Timeline, timeline
from ._verdict import Finding, Verdict

__all__ = [
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
