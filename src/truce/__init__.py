"""truce: evaluate ceasefire terms, encoded as declarative rules, against scenario states.

    >>> import truce
    >>> verdict = truce.evaluate("examples/idlib-2019/01-holds-after-withdrawal.yaml")
    >>> verdict.status, verdict.holds
    ('holds', True)
"""

from .columns import Columns
from .errors import EngineError, EngineUnavailableError, Problem, RulebookError, ScenarioError, TruceError, UnknownRulebookError
from .evaluate import evaluate
from .load import RulebookInfo, list_rulebooks, load_rulebook, load_scenario
from .rulebook import Rulebook
from .scenario import Incident, Position, Scenario, Unit
from .sweep import sweep
from .timeline import Timeline, timeline
from .verdict import Finding, Verdict

__all__ = [
    "Columns",
    "EngineError",
    "EngineUnavailableError",
    "Finding",
    "Incident",
    "Position",
    "Problem",
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
    "evaluate",
    "list_rulebooks",
    "load_rulebook",
    "load_scenario",
    "sweep",
    "timeline",
]
