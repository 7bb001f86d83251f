"""Isolation: one student's upload, weights and settings never reach another student.

Every student's script runs in a thread of the one server process, so anything kept at module
level, or in st.cache_resource, is shared by the whole class. Two kinds of check:

- the code: an AST scan of lstm_core/, figures/, ui/ and pages/ for module-level mutable
  state that is changed after import (containers, NumPy arrays, class attributes, `global`,
  assignments into imported modules, results of functools.cache changed by a caller, mutable
  default arguments) and for st.cache_resource, allowed only for the training-slots counter
  of ui/training_session.py;
- the behaviour: two sessions at once, (1) through AppTest in one process (their session
  state) and (2) as two real websocket sessions of one live server (what each is sent):
  session A uploads its own weights and types its own inputs on page 2, session B stays at
  the defaults; B's figures are the default figures, hold none of A's numbers, and B's
  widgets, address and session state are the defaults.
"""
import ast
import json
import os
import sys

import numpy as np
import pytest

from conftest import ROOT

sys.path.insert(0, ROOT)

SCANNED = ("lstm_core", "figures", "ui", "pages")
# The one st.cache_resource allowed: the server's cap on trainings at once (a counter with a
# lock, shared on purpose; see its module docstring).
CACHE_RESOURCE_ALLOWED = {("ui/training_session.py", "training_slots")}
# Streamlit's own flag that st.navigation sets; ui/router.py sets it the same way.
FOREIGN_ASSIGN_ALLOWED = {("ui/router.py", "PagesManager.uses_pages_directory")}

MUTATORS = {"append", "extend", "insert", "pop", "remove", "clear", "update", "add", "discard", "setdefault",
            "popitem", "sort", "reverse", "appendleft", "extendleft", "popleft", "rotate", "fill", "resize",
            "put", "itemset", "__setitem__", "__delitem__", "difference_update", "intersection_update",
            "symmetric_difference_update"}
MUTABLE_CALLS = {"list", "dict", "set", "bytearray", "defaultdict", "OrderedDict", "deque", "Counter",
                 "array", "zeros", "ones", "empty", "full", "arange", "zeros_like", "ones_like", "empty_like",
                 "DataFrame", "Series", "SimpleNamespace"}


def python_files():
    for top in SCANNED:
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for f in sorted(files):
                if f.endswith(".py"):
                    path = os.path.join(dirpath, f)
                    yield os.path.relpath(path, ROOT).replace(os.sep, "/"), path


def _call_name(node) -> str:
    f = node.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def is_mutable_value(node) -> bool:
    if isinstance(node, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)):
        return True
    return isinstance(node, ast.Call) and _call_name(node) in MUTABLE_CALLS


def _root_name(node):
    """The name at the root of x, x[i], x.a, x.a[i].b ..."""
    while isinstance(node, (ast.Subscript, ast.Attribute, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _dotted(node) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


PER_SESSION = ("st.session_state", "st.query_params", "streamlit.session_state", "streamlit.query_params")


def _decorator_names(fn) -> list[str]:
    return [_dotted(d.func if isinstance(d, ast.Call) else d) for d in fn.decorator_list]


def _bound_names(fn) -> set:
    """Names local to a function: its arguments and what it binds, minus its `global`s."""
    a = fn.args
    names = {x.arg for x in a.args + a.kwonlyargs + a.posonlyargs}
    names |= {x.arg for x in (a.vararg, a.kwarg) if x is not None}
    glob = set()
    for n in ast.walk(fn):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            names.add(n.id)
        elif isinstance(n, ast.Global):
            glob.update(n.names)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            names.update((x.asname or x.name).split(".")[0] for x in n.names)
    return names - glob


def scan(rel: str, source: str) -> list[str]:
    """What, in one module, changes state that every session shares, after import."""
    tree = ast.parse(source)
    page = rel.startswith("pages/")           # a page runs in a fresh namespace on every run
    problems = []
    module_mutables, imported, cached = set(), set(), set()
    for node in tree.body:
        for sub in ast.walk(node) if isinstance(node, (ast.If, ast.Try, ast.With)) else [node]:
            if isinstance(sub, (ast.Import, ast.ImportFrom)):
                imported.update((a.asname or a.name).split(".")[0] for a in sub.names)
            targets = (sub.targets if isinstance(sub, ast.Assign) else
                       [sub.target] if isinstance(sub, ast.AnnAssign) and sub.value is not None else [])
            if targets and is_mutable_value(sub.value):
                module_mutables.update(t.id for t in targets if isinstance(t, ast.Name))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if any(n.split(".")[-1] in ("cache", "lru_cache") for n in _decorator_names(node)):
                cached.add(node.name)

    def problem(node, what):
        problems.append(f"{rel}:{node.lineno}: {what}")

    def is_cached_call(node):
        return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in cached

    def changed(target, node, how, depth, local, results):
        root = _root_name(target)
        if root is None or depth == 0:
            return                                # import-time initialisation is fine
        if root in results and (isinstance(target, (ast.Subscript, ast.Attribute)) or how.startswith("changed with")):
            problem(node, f"the result of a functools.cache function ({root}) {how}")
        elif root in local:
            return
        elif root in module_mutables:
            if not page:
                problem(node, f"module-level {root} {how} at run time")
        elif root in imported and isinstance(target, (ast.Attribute, ast.Subscript)):
            dotted = _dotted(target if isinstance(target, ast.Attribute) else target.value)
            if not dotted.startswith(PER_SESSION) and (rel, dotted) not in FOREIGN_ASSIGN_ALLOWED:
                problem(node, f"{dotted or root} (imported) {how}: shared by every session")

    def check_class(node):
        attrs = set()
        for stmt in node.body:
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None and is_mutable_value(stmt.value):
                attrs.update(t.id for t in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])
                             if isinstance(t, ast.Name))
        if not attrs or any("dataclass" in n for n in _decorator_names(node)):
            return
        on_instance = {t.attr for n in ast.walk(node) if isinstance(n, (ast.Assign, ast.AnnAssign))
                       for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
                       if isinstance(t, ast.Attribute) and _root_name(t) == "self"}
        for n in ast.walk(node):
            targets = []
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in MUTATORS:
                targets = [n.func.value]
            elif isinstance(n, (ast.Assign, ast.AugAssign, ast.Delete)):
                targets = [t.value for t in (n.targets if isinstance(n, (ast.Assign, ast.Delete)) else [n.target])
                           if isinstance(t, ast.Subscript)]
            for t in targets:
                if (isinstance(t, ast.Attribute) and _root_name(t) in ("self", "cls") and t.attr in attrs
                        and t.attr not in on_instance):
                    problem(n, f"class attribute {node.name}.{t.attr} changed through {_root_name(t)}: "
                               "shared by every instance")

    def walk(node, depth, local, results):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for name in _decorator_names(child):
                    if name.split(".")[-1] == "cache_resource" and (rel, child.name) not in CACHE_RESOURCE_ALLOWED:
                        problem(child, f"st.cache_resource on {child.name}(): shared by every session")
                for default in child.args.defaults + child.args.kw_defaults:
                    if default is not None and is_mutable_value(default):
                        problem(default, f"mutable default argument of {child.name}()")
            elif isinstance(child, ast.ClassDef):
                check_class(child)
            elif isinstance(child, ast.Global) and not page:
                problem(child, f"`global {', '.join(child.names)}`: module state changed at run time")
            elif isinstance(child, ast.Assign):
                for t in child.targets:
                    if isinstance(t, (ast.Subscript, ast.Attribute)):
                        changed(t, child, "assigned into", depth, local, results)
                if is_cached_call(child.value):
                    results.update(t.id for t in child.targets if isinstance(t, ast.Name))
            elif isinstance(child, ast.AugAssign):
                t = child.target
                if isinstance(t, (ast.Subscript, ast.Attribute)) or (isinstance(t, ast.Name) and t.id in module_mutables):
                    changed(t, child, "changed in place (+= ...)", depth, local, results)
            elif isinstance(child, ast.Delete):
                for t in child.targets:
                    if isinstance(t, (ast.Subscript, ast.Attribute)):
                        changed(t, child, "deleted from", depth, local, results)
            elif isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute) and child.func.attr in MUTATORS:
                t = child.func.value
                if is_cached_call(t):
                    problem(child, f"the result of {t.func.id}() (functools.cache) changed with .{child.func.attr}()")
                elif not (isinstance(t, ast.Name) and t.id in imported):      # module.update(...) is a function
                    changed(t, child, f"changed with .{child.func.attr}()", depth, local, results)
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                walk(child, depth + 1, local | _bound_names(child), set())
            else:
                walk(child, depth, local, results)

    walk(tree, 0, frozenset(), set())
    return problems


# ---------------------------------------------------------------- the scan

def test_the_scan_finds_shared_state():
    """The scanner itself: each of these would leak between sessions, and is found."""
    bad = {
        "module list appended in a function": "CACHE = []\ndef f(x):\n    CACHE.append(x)\n",
        "module dict assigned into": "SEEN = {}\ndef f(k, v):\n    SEEN[k] = v\n",
        "module set added to": "S = set()\ndef f(x):\n    S.add(x)\n",
        "numpy array written": "import numpy as np\nBUF = np.zeros(3)\ndef f():\n    BUF[0] = 1\n",
        "global rebinding": "N = 0\ndef f():\n    global N\n    N += 1\n",
        "cache_resource": "import streamlit as st\n@st.cache_resource\ndef shared():\n    return {}\n",
        "imported module changed": "import ui.cache_gates as cg\ndef f():\n    cg.MAX_T = 10\n",
        "imported container changed": "from lstm_core import presets\ndef f():\n    presets.PRESETS['x'] = 1\n",
        "mutable default": "def f(x=[]):\n    return x\n",
        "class attribute shared": "class C:\n    items = []\n    def add(self, x):\n        self.items.append(x)\n",
        "cached result changed": "import functools\n@functools.cache\ndef paths():\n    return {}\n"
                                 "def f():\n    p = paths()\n    p['x'] = 1\n",
        "list += in a function": "L = []\ndef f():\n    global L\n    L += [1]\n",
    }
    for name, src in bad.items():
        assert scan("ui/example.py", src), name
    fine = {
        "import-time filling": "TABLE = {}\nfor k in range(3):\n    TABLE[k] = k * k\n",
        "local shadow": "ITEMS = []\ndef f():\n    ITEMS = []\n    ITEMS.append(1)\n    return ITEMS\n",
        "copy then change": "BASE = {'a': 1}\ndef f():\n    d = dict(BASE)\n    d['b'] = 2\n    return d\n",
        "tuple constant": "NAMES = ('a', 'b')\ndef f():\n    return list(NAMES) + ['c']\n",
        "instance attribute": "class C:\n    def __init__(self):\n        self.items = []\n"
                              "    def add(self, x):\n        self.items.append(x)\n",
        "dataclass field": "from dataclasses import dataclass, field\n@dataclass\nclass C:\n"
                           "    items: list = field(default_factory=list)\n",
        "page-level list (fresh each run)": "notices = []\ndef add(n):\n    notices.append(n)\n",
    }
    for name, src in fine.items():
        rel = "pages/example.py" if name.startswith("page") else "ui/example.py"
        assert scan(rel, src) == [], (name, scan(rel, src))


def test_no_mutable_module_level_state_in_the_project():
    problems = []
    for rel, path in python_files():
        with open(path, encoding="utf-8") as f:
            problems += scan(rel, f.read())
    assert problems == [], "state shared by every session:\n" + "\n".join(problems)


def test_cache_resource_is_only_the_training_slots():
    """st.cache_resource objects are shared by every session: the only one is the counter of
    trainings at once, which is shared on purpose and guards itself with a lock."""
    found = set()
    for rel, path in python_files():
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for d in node.decorator_list:
                    if _dotted(d.func if isinstance(d, ast.Call) else d).endswith("cache_resource"):
                        found.add((rel, node.name))
    assert found <= CACHE_RESOURCE_ALLOWED, found - CACHE_RESOURCE_ALLOWED
    if found:
        from ui.training_session import TrainingSlots
        assert hasattr(TrainingSlots(1), "_lock")


# ---------------------------------------------------------------- two sessions, AppTest

PAGE = "pages/gates_over_time.py"
TYPED = "0.123, -0.456, 0.789, 1.0, 0.321"
TYPED_VALUES = (0.123, -0.456, 0.789, 1.0, 0.321)


def custom_weights():
    """Weights nobody else has: a seeded random LSTM with every number offset by 0.0123."""
    from lstm_core.formats import params_from_dict, params_to_json
    from lstm_core.presets import random_lstm

    d = json.loads(params_to_json(random_lstm(1, 3, seed=424242)))
    for k, v in d.items():
        if isinstance(v, list):
            d[k] = (np.asarray(v) + 0.0123).tolist()
    return params_to_json(params_from_dict(d))


def module_state() -> dict:
    """repr of every module-level container and array of the project's imported modules."""
    out = {}
    for name, mod in list(sys.modules.items()):
        if name.split(".")[0] not in ("lstm_core", "figures", "ui") or mod is None:
            continue
        for k, v in vars(mod).items():
            if isinstance(v, (list, dict, set, np.ndarray)) and not k.startswith("__"):
                out[f"{name}.{k}"] = repr(v)
    return out


def test_two_apptest_sessions_keep_their_own_state():
    from streamlit.testing.v1 import AppTest

    def open_page():
        at = AppTest.from_file(os.path.join(ROOT, "app.py"), default_timeout=120)
        at.run()
        at.switch_page(PAGE)
        return at.run()

    weights = custom_weights()
    a, b = open_page(), open_page()
    b.run()
    default_state = b.session_state.to_dict()
    shared_before = module_state()
    assert shared_before, "no project module was imported"
    a.radio(key="keep.gates.w_source").set_value("upload").run()
    a.file_uploader(key="gates.w_upload").set_value(("mine.json", weights.encode(), "application/json")).run()
    a.radio(key="keep.gates.x_source").set_value("typed").run()
    a.text_area(key="keep.gates.typed").input(TYPED).run()
    assert not a.exception and not a.error, [e.value for e in a.error]
    assert a.session_state["gates.last_good"]["w"] == weights          # A has its own run...
    b.run()                                                             # ...B reruns after A's changes
    assert not b.exception
    state_b = b.session_state.to_dict()
    assert state_b == default_state                                     # B's state: the defaults, all of it
    blob = repr(state_b)
    assert "0.0123" not in blob and "-0.456" not in blob and "mine.json" not in blob
    assert b.session_state["gates.last_good"]["w"] != weights
    assert b.radio(key="keep.gates.w_source").value == "preset"
    assert b.radio(key="keep.gates.x_source").value == "preset"
    assert module_state() == shared_before                              # nothing shared was changed


# ---------------------------------------------------------------- two sessions, live

@pytest.fixture(scope="module")
def server():
    from loadtest.run_load import app_server
    with app_server() as (url, proc):
        yield url


def _option(proto, word):
    return next(o for o in proto.options if word in o.lower())


def test_two_live_sessions_see_only_their_own(server):
    from loadtest.student import Student, figure_numbers

    weights = custom_weights()
    with Student(server, page="gates_over_time") as a, Student(server, page="gates_over_time") as b:
        a.open(xsrf=True)
        first_b = b.open(xsrf=True)
        default_numbers = np.concatenate([figure_numbers(s) for s in first_b.plotly_specs()])
        # A: its own weights file, its own typed inputs
        a.set("keep.gates.w_source", _option(a.find("keep.gates.w_source")[1], "upload"))
        run = a.upload("gates.w_upload", "mine.json", weights.encode(), "application/json")
        assert not run.exceptions and not run.alerts("error"), run.alerts("error")
        a.set("keep.gates.x_source", _option(a.find("keep.gates.x_source")[1], "type"))
        run_a = a.set("keep.gates.typed", TYPED)
        assert not run_a.exceptions and not run_a.alerts("error"), run_a.alerts("error")
        a_numbers = np.concatenate([figure_numbers(s) for s in run_a.plotly_specs()])
        assert np.isin(TYPED_VALUES, a_numbers).all()                  # A sees its inputs...
        only_a = np.setdiff1d(a_numbers, default_numbers)
        assert only_a.size > 50                                         # ...and its own trace
        # B, after A's changes: a rerun, then a move of its slider and back
        runs_b = [b.rerun(), b.set("keep.gates.T", 61), b.set("keep.gates.T", 60)]
        for run_b in runs_b:
            assert not run_b.exceptions
            b_numbers = np.concatenate([figure_numbers(s) for s in run_b.plotly_specs()])
            assert not np.isin(only_a, b_numbers).any(), "A's numbers in B's figures"
            assert not np.isin(TYPED_VALUES[:3], b_numbers).any()
        assert np.array_equal(np.sort(b_numbers), np.sort(default_numbers))   # B is back at the defaults
        assert b.find("keep.gates.w_source")[1].options[0] == b.states[b.find("keep.gates.w_source")[1].id].string_value
        assert "upload" not in b.query and "typed" not in b.query and "cw" not in b.query
        # and A, after B's moves, still has its own
        run_a2 = a.rerun()
        a2_numbers = np.concatenate([figure_numbers(s) for s in run_a2.plotly_specs()])
        assert np.isin(only_a, a2_numbers).all()
