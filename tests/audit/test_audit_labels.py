"""Every action the code base records has words in audit.labels, and every kind of record
an entry can point at has a name: the audit trail's filters and table show only those.

The action codes are found by reading the source (ast): the action argument of each
audit.record(...), audit_record(...) and audit_step(...) call, followed through a module
constant, a function parameter (the constants its callers pass) or an f-string whose
placeholder is such a parameter. An argument the reader cannot follow fails the test, so a
new way of recording names itself here rather than slipping past."""

import ast
import importlib
import itertools
import pathlib

import pytest
from django.apps import apps
from django.conf import settings

from audit.labels import ACTION_LABELS, TARGET_LABELS

ROOT = pathlib.Path(settings.BASE_DIR)
SKIPPED = {".venv", "tests", "migrations", "bench", "node_modules"}
RECORDERS = {"audit_step", "audit_record"}


def _sources() -> dict[pathlib.Path, ast.Module]:
    return {
        path: ast.parse(path.read_text(), filename=str(path))
        for path in sorted(ROOT.rglob("*.py"))
        if not SKIPPED & set(path.relative_to(ROOT).parts)
    }


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def _is_recorder(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "record":
        return isinstance(func.value, ast.Name) and func.value.id == "audit"
    return _called_name(call) in RECORDERS


def _argument(call: ast.Call, name: str, index: int) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return call.args[index] if len(call.args) > index else None


class Reader:
    def __init__(self, sources: dict[pathlib.Path, ast.Module]):
        self.sources = sources
        self.parents = {}
        self.functions: dict[str, list[ast.FunctionDef]] = {}
        for tree in sources.values():
            for node in ast.walk(tree):
                for child in ast.iter_child_nodes(node):
                    self.parents[child] = (node, tree)
                if isinstance(node, ast.FunctionDef):
                    self.functions.setdefault(node.name, []).append(node)
        self.unresolved: list[str] = []

    def _where(self, node) -> str:
        tree = self.parents[node][1]
        path = next(path for path, module in self.sources.items() if module is tree)
        return f"{path.relative_to(ROOT)}:{node.lineno}"

    def _enclosing_function(self, node) -> ast.FunctionDef | None:
        while node in self.parents:
            node = self.parents[node][0]
            if isinstance(node, ast.FunctionDef):
                return node
        return None

    def _module_constant(self, node: ast.Name) -> str | None:
        return self._constant_in(self.parents[node][1], node.id)

    def _constant_in(self, tree: ast.Module, name: str) -> str | None:
        """A module's constant ``name``, assigned there or imported from one of our modules."""
        for statement in tree.body:
            assigned = isinstance(statement, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == name for target in statement.targets
            )
            if assigned and isinstance(statement.value, ast.Constant):
                return statement.value.value
            imported = isinstance(statement, ast.ImportFrom) and any(
                alias.name == name and alias.asname is None for alias in statement.names
            )
            if imported and statement.module:
                source = ROOT.joinpath(*statement.module.split(".")).with_suffix(".py")
                if source in self.sources:
                    return self._constant_in(self.sources[source], name)
        return None

    def _parameter_values(self, node: ast.Name, depth: int) -> list[str] | None:
        """The values a function's callers pass for the parameter ``node`` names."""
        function = self._enclosing_function(node)
        if function is None or depth > 3:
            return None
        params = [arg.arg for arg in function.args.posonlyargs + function.args.args]
        if node.id not in params + [arg.arg for arg in function.args.kwonlyargs]:
            return None
        index = params.index(node.id) if node.id in params else 10**6
        values = []
        for tree in self.sources.values():
            for call in ast.walk(tree):
                if isinstance(call, ast.Call) and _called_name(call) == function.name:
                    if _is_recorder(call):
                        continue
                    argument = _argument(call, node.id, index)
                    if argument is not None:
                        values += self.values(argument, depth + 1)
        return values

    def values(self, node: ast.expr, depth: int = 0) -> list[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.IfExp):
            return self.values(node.body, depth) + self.values(node.orelse, depth)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            # A TextChoices member, such as State.COMPLETED.
            for model in apps.get_models():
                choices = getattr(importlib.import_module(model.__module__), node.value.id, None)
                if choices is not None and hasattr(choices, node.attr):
                    return [str(getattr(choices, node.attr).value)]
        if isinstance(node, ast.Name):
            if (constant := self._module_constant(node)) is not None:
                return [constant]
            if (passed := self._parameter_values(node, depth)) is not None:
                return passed
        if isinstance(node, ast.JoinedStr):
            parts = []
            for part in node.values:
                if isinstance(part, ast.Constant):
                    parts.append([part.value])
                else:
                    parts.append(self.values(part.value, depth))
            return ["".join(combination) for combination in itertools.product(*parts)]
        self.unresolved.append(f"{self._where(node)}: {ast.unparse(node)}")
        return []

    def recorded_actions(self) -> set[str]:
        codes = set()
        for tree in self.sources.values():
            for call in ast.walk(tree):
                if not (isinstance(call, ast.Call) and _is_recorder(call)):
                    continue
                argument = _argument(call, "action", 1)
                if argument is None:
                    continue
                # The recorders' own pass-through (audit.record's "action") is no code.
                function = self._enclosing_function(call)
                passed_through = isinstance(argument, ast.Name) and argument.id == "action"
                if passed_through and getattr(function, "name", None) in RECORDERS | {"record"}:
                    continue
                codes.update(self.values(argument))
        return codes


@pytest.fixture(scope="module")
def reader():
    return Reader(_sources())


def test_the_reader_follows_every_action_the_code_base_records(reader):
    codes = reader.recorded_actions()

    assert reader.unresolved == []
    # Direct, through a parameter, a constant, a state and an executor step.
    assert {
        "user.suspend",
        "user.restrict",
        "rights_request.due_alerts_sent",
        "rights_request.completed",
        "rights_request.objection_upheld",
        "breach.print",
    } <= codes


def test_every_action_the_code_base_records_has_words(reader):
    missing = sorted(reader.recorded_actions() - ACTION_LABELS.keys())

    assert missing == []


def test_every_kind_of_record_of_our_own_apps_has_a_name():
    ours = {
        model._meta.label for model in apps.get_models() if (ROOT / model._meta.app_label).is_dir()
    }

    assert sorted(ours - TARGET_LABELS.keys()) == []
