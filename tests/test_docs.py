"""The documentation's Python runs and prints what it says it prints.

Every page (README.md and docs/*.rst) is run as a new user would read it: its Python
blocks in order, in one fresh interpreter per page, so that a page may build on its
own earlier blocks but never on another page's. The test fails naming the page, the
block and its line, with the traceback.

Which blocks are Python
    - reStructuredText: ``.. code-block:: python`` (also ``py``, ``python3``, and the
      ``code`` and ``sourcecode`` spellings), and every literal block that names no
      language: a paragraph ending in ``::`` and ``.. code-block::`` without an
      argument. Sphinx highlights those as Python (``highlight_language`` is left at
      its default), so the test runs them as Python; a ``.. highlight:: <language>``
      directive changes that for the rest of the page, as it does for Sphinx. A shell
      command or a message therefore needs ``.. code-block:: bash`` (or ``text``,
      ``console``, ...), which the test does not run.
    - Markdown (README.md): fences opened with ```python (or ```py, ```python3).
    - Interactive forms (``>>>`` doctest blocks, ``pycon``, ``ipython``) are refused:
      write a plain Python block, and its output in an output block (below).

Markers (an rST comment, or an HTML comment in Markdown), each on its own line
before the block it is about, followed by a blank line:
    - ``.. skdeep-docs: skip — <reason>``: the next Python block is not run, for the
      reason given (a block that needs a real cluster, say). A marker without a
      reason fails the test.
    - ``.. skdeep-docs: output``: the next block (usually ``.. code-block:: text``) is
      what the Python block before it prints, and must equal it, line for line
      (trailing spaces aside). ``...`` in it matches any text, as doctest's ELLIPSIS
      does: use it for what varies from run to run or machine to machine.

A block that imports an optional package the test extra installs (dask, matplotlib,
skops, ...; see OPTIONAL) is not run where that package is missing, nor are the
blocks after it on its page: the page's test is then skipped, as the other tests
skip. A missing package that no extra installs fails the test.

Each page runs in a temporary directory (pages write files: model.pkl, model.onnx,
...) with matplotlib's Agg backend and one BLAS thread, the test suite's setting.
RuntimeWarnings are errors there, as in the suite, but for a search's
FitFailedWarning. Pages keep their examples small (few epochs, small data), so that
the whole module stays well under a minute.
"""

import ast
import dataclasses
import importlib.util
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import skdeep

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.rst")])
PYTHON = {"python", "py", "python3"}
INTERACTIVE = {"pycon", "ipython", "ipython3"}
# a page's longest run is a few seconds; this only turns a hang into a failure
TIMEOUT = 300
# What the test extra installs (and sklearn.callback, new in scikit-learn 1.9): a
# block that imports one of them, where it is missing, is not run, nor are the blocks
# after it on its page, and the page's test is skipped, as the other tests skip. Any
# other import that fails fails the test: a page may not use what no extra installs.
OPTIONAL = {
    "dask", "distributed", "dask_ml", "matplotlib", "pandas", "rich", "skops", "skl2onnx", "onnx", "onnxruntime",
    "sklearn.callback",
}  # fmt: skip


class DocsFormatError(ValueError):
    """A page uses a form of code block or marker that the rules above refuse."""


@dataclasses.dataclass
class Block:
    page: str
    line: int  # 1-based line of the directive, fence or ``::`` paragraph
    language: str
    code: str
    skip: str | None = None  # the reason it is not run
    is_output: bool = False  # claims the previous Python block's output

    @property
    def runs(self):
        return self.language in PYTHON and self.skip is None

    @property
    def name(self):
        return f"{self.page}, line {self.line}"


# -- extracting the blocks -------------------------------------------------------------

MARKER = re.compile(r"^\s*(?:\.\.|<!--)\s*skdeep-docs:\s*(\S+)(.*?)\s*(?:-->)?\s*$")
DIRECTIVE = re.compile(r"^(\s*)\.\.\s+(?:code-block|code|sourcecode)::\s*(\S*)\s*$")
HIGHLIGHT = re.compile(r"^\s*\.\.\s+highlight::\s*(\S+)\s*$")
FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*([\w+-]*)")


def _indent(line):
    return len(line) - len(line.lstrip())


def _marker(match, page, lineno):
    """('skip', reason) or ('output', None) from a marker's regex match."""
    kind, rest = match.group(1), match.group(2)
    if kind == "skip":
        reason = rest.strip().lstrip("—–-:").strip()
        if not reason:
            raise DocsFormatError(
                f"{page}, line {lineno}: a skip marker must give its reason: '.. skdeep-docs: skip — <reason>'"
            )
        return "skip", reason
    if kind == "output" and not rest.strip():
        return "output", None
    raise DocsFormatError(f"{page}, line {lineno}: unknown marker {match.group(0).strip()!r}")


def _normalize(language):
    language = language.lower()
    return "python" if language in PYTHON or language in {"default", "python3"} else language


def rst_blocks(text, page="<page>"):
    """The literal and code blocks of a reStructuredText page, in order, with the
    markers applied. Raises DocsFormatError for a refused form or a stray marker."""
    lines = text.splitlines()
    default = "python"  # Sphinx's highlight_language 'default' lexes as Python
    blocks, pending, i = [], None, 0
    while i < len(lines):
        line = lines[i]
        marker = MARKER.match(line)
        if marker:
            if pending is not None:
                raise DocsFormatError(f"{page}, line {pending[2]}: marker followed by another marker, not a block")
            pending = (*_marker(marker, page, i + 1), i + 1)
            i += 1
            continue
        if highlight := HIGHLIGHT.match(line):
            default = _normalize(highlight.group(1))
            i += 1
            continue
        directive = DIRECTIVE.match(line)
        if directive:
            indent, language = len(directive.group(1)), _normalize(directive.group(2) or default)
        elif line.rstrip().endswith("::") and not line.lstrip().startswith(".."):
            indent, language = _indent(line), default
        else:
            if line.lstrip().startswith(">>>"):
                raise DocsFormatError(
                    f"{page}, line {i + 1}: a '>>>' doctest block is not run; write a Python block and its output block"
                )
            i += 1
            continue
        if language in INTERACTIVE:
            raise DocsFormatError(
                f"{page}, line {i + 1}: a '{language}' block is not run; write a Python block and its output block"
            )
        j, body = i + 1, []
        while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) > indent):
            body.append(lines[j])
            j += 1
        code = textwrap.dedent("\n".join(body)).strip("\n").splitlines()
        if directive:  # drop the directive's options (:linenos:, :caption: ...)
            while code and re.match(r"^:[\w-]+:", code[0]):
                code.pop(0)
        blocks.append(_block(page, i + 1, language, "\n".join(code).strip("\n") + "\n", pending))
        pending, i = None, j
    return _check(blocks, pending, page)


def markdown_blocks(text, page="<page>"):
    """The fenced code blocks of a Markdown page, in order, with the markers applied."""
    lines = text.splitlines()
    blocks, pending, i = [], None, 0
    while i < len(lines):
        marker = MARKER.match(lines[i])
        fence = FENCE.match(lines[i])
        if marker:
            if pending is not None:
                raise DocsFormatError(f"{page}, line {pending[2]}: marker followed by another marker, not a block")
            pending = (*_marker(marker, page, i + 1), i + 1)
            i += 1
            continue
        if not fence:
            i += 1
            continue
        indent, ticks, language = len(fence.group(1)), fence.group(2), _normalize(fence.group(3) or "text")
        if language in INTERACTIVE:
            raise DocsFormatError(
                f"{page}, line {i + 1}: a '{language}' block is not run; write a Python block and its output block"
            )
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(ticks):
            j += 1
        code = textwrap.dedent("\n".join(line[indent:] if line[:indent].isspace() else line for line in lines[i + 1 : j]))
        blocks.append(_block(page, i + 1, language, code.strip("\n") + "\n", pending))
        pending, i = None, j + 1
    return _check(blocks, pending, page)


def _block(page, line, language, code, pending):
    block = Block(page, line, language, code)
    if pending is not None:
        kind, reason, marker_line = pending
        if kind == "skip":
            if language not in PYTHON:
                raise DocsFormatError(f"{page}, line {marker_line}: a skip marker before a '{language}' block")
            block.skip = reason
        else:
            if language in PYTHON:
                raise DocsFormatError(
                    f"{page}, line {marker_line}: an output marker must come before a text block, not a Python block"
                )
            block.is_output = True
    return block


def _check(blocks, pending, page):
    if pending is not None:
        raise DocsFormatError(f"{page}, line {pending[2]}: a marker with no block after it")
    last = None
    for block in blocks:
        if block.is_output and (last is None or not last.runs):
            raise DocsFormatError(
                f"{block.name}: an output block must follow a Python block that runs"
                + ("" if last is None else f" (the one at line {last.line} is skipped)")
            )
        if block.language in PYTHON:
            last = block
    return blocks


def page_blocks(path):
    text = Path(path).read_text(encoding="utf-8")
    try:
        page = str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        page = str(path)
    return (markdown_blocks if str(path).endswith(".md") else rst_blocks)(text, page)


# -- running a page -------------------------------------------------------------------

# Run in a fresh interpreter: the blocks are executed one after another in __main__'s
# namespace, as the lines of one script would be (so a class a block defines pickles).
DRIVER = r"""
def _run(blocks_file, result_file):
    import contextlib, io, json, linecache, sys, time, traceback, warnings

    # as in the test suite: a leaked NumPy RuntimeWarning (overflow, ...) is a bug;
    # a search's FitFailedWarning, a RuntimeWarning too, is what a page may show (its
    # message, not its class: importing scikit-learn here would slow every page)
    warnings.simplefilter("error", RuntimeWarning)
    warnings.filterwarnings("default", message=r"\s*\d+ fits failed out of a total of", category=RuntimeWarning)
    namespace = vars(sys.modules["__main__"])
    with open(blocks_file) as f:
        blocks = json.load(f)
    result = {"outputs": [], "seconds": [], "failed": None, "error": None}
    for k, block in enumerate(blocks):
        name = "<" + block["name"] + ">"
        linecache.cache[name] = (len(block["code"]), None, block["code"].splitlines(True), name)
        out, start = io.StringIO(), time.perf_counter()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(block["code"], name, "exec"), namespace)
        except BaseException:
            result["failed"], result["error"] = k, traceback.format_exc()
            break
        finally:
            result["outputs"].append(out.getvalue())
            result["seconds"].append(time.perf_counter() - start)
    with open(result_file, "w") as f:
        json.dump(result, f)

_run(*__import__("sys").argv[1:])
"""


def run_blocks(blocks, cwd):
    """Run ``blocks`` in one fresh interpreter in ``cwd``; return the driver's
    result: the stdout and seconds of each block, and the failing block's index and
    traceback, if one failed."""
    cwd = Path(cwd)
    (cwd / "_blocks.json").write_text(json.dumps([{"name": b.name, "code": b.code} for b in blocks]))
    env = {
        **os.environ,
        # the skdeep this test imports, not whichever is installed
        "PYTHONPATH": os.pathsep.join([str(Path(skdeep.__file__).parents[1]), os.environ.get("PYTHONPATH", "")]),
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    process = subprocess.run(
        [sys.executable, "-c", DRIVER, "_blocks.json", "_result.json"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    result_file = cwd / "_result.json"
    if not result_file.exists():  # the interpreter itself died
        return {"outputs": [], "failed": 0, "error": f"exit code {process.returncode}\n{process.stderr}"}
    result = json.loads(result_file.read_text())
    result["stderr"] = process.stderr
    return result


def output_matches(claimed, printed):
    """Whether an output block's text is what was printed: line for line, trailing
    spaces and blank lines aside, with ``...`` matching any text."""

    def norm(text):
        return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())

    claimed, printed = norm(claimed), norm(printed)
    pattern = ".*?".join(re.escape(part) for part in claimed.split("..."))
    return re.fullmatch(pattern, printed, flags=re.DOTALL) is not None


def missing_optional(code):
    """The first module of the optional ones that ``code`` imports and that is not
    installed, or None."""
    try:
        tree = ast.parse(code)
    except SyntaxError:  # running the block reports it
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            for optional in OPTIONAL:
                if name == optional or name.startswith(optional + "."):
                    try:
                        found = importlib.util.find_spec(optional) is not None
                    except ImportError:
                        found = False
                    if not found:
                        return optional
    return None


def check_page(path, cwd):
    """Run one page; return a list of problems (empty when the page runs and tells
    the truth). If a block needs an optional module that is missing, the blocks
    before it are run and checked, and then the test is skipped (pytest.skip)."""
    try:
        blocks = page_blocks(path)
    except DocsFormatError as error:
        return [str(error)]
    running, cut = [], None
    for block in blocks:
        if block.runs:
            if missing := missing_optional(block.code):
                cut = f"{block.name} and after: {missing} is not installed"
                break
            running.append(block)
    problems = []
    if running:
        result = run_blocks(running, cwd)
        if result["failed"] is not None:
            block = running[result["failed"]]
            return [f"{block.name} (Python block {result['failed'] + 1} of {len(running)}) failed:\n{result['error']}"]
        printed = dict(zip((id(b) for b in running), result["outputs"], strict=True))
        last = None
        for block in blocks:
            if block.is_output and id(last) in printed and not output_matches(block.code, printed[id(last)]):
                problems.append(
                    f"{block.name}: the output block is not what the block at line {last.line} prints.\n"
                    f"--- the page says:\n{block.code}--- it prints:\n{printed[id(last)]}"
                )
            if block.language in PYTHON:
                last = block
    if cut and not problems:
        pytest.skip(f"not run: {cut}")
    return problems


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_page_runs_and_prints_what_it_says(path, tmp_path):
    problems = check_page(path, tmp_path)
    assert not problems, "\n\n".join(problems)


# -- the checker itself can fail ------------------------------------------------------


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_an_undefined_name_fails_naming_page_block_and_error(tmp_path):
    page = write(
        tmp_path,
        "page.rst",
        """\
        Title
        =====

        A first block::

            x = 1

        .. code-block:: python

            print(model.score(X, y))
        """,
    )
    (problem,) = check_page(page, tmp_path)
    assert f"{page}, line 8 (Python block 2 of 2) failed" in problem
    assert "NameError: name 'model' is not defined" in problem
    assert "print(model.score(X, y))" in problem  # the traceback shows the line


def test_blocks_of_a_page_share_one_fresh_interpreter(tmp_path):
    first = write(tmp_path, "a.rst", "::\n\n    import sys\n    sys.shared = 1\n    value = 2\n\n::\n\n    assert value == 2\n")
    assert check_page(first, tmp_path) == []
    # a second page sees neither the first page's names nor its interpreter's state
    second = write(tmp_path, "b.rst", "::\n\n    import sys\n    assert not hasattr(sys, 'shared')\n    print(value)\n")
    (problem,) = check_page(second, tmp_path)
    assert "NameError: name 'value' is not defined" in problem


def test_which_blocks_run(tmp_path):
    page = write(
        tmp_path,
        "page.rst",
        """\
        .. code-block:: bash

           pip install .

        Paragraph::

           a = 1

        .. code-block::
           :caption: no language: Python, as Sphinx highlights it

           b = 2

        .. code-block:: text

           not Python

        .. code-block:: python

           c = 3

        .. note::

           Nested::

              d = 4

        .. highlight:: text

        From here on a bare literal block is text::

           not Python either
        """,
    )
    blocks = page_blocks(page)
    assert [b.language for b in blocks] == ["bash", "python", "python", "text", "python", "python", "text"]
    assert [b.code for b in blocks if b.runs] == ["a = 1\n", "b = 2\n", "c = 3\n", "d = 4\n"]
    assert [b.line for b in blocks if b.runs] == [5, 9, 18, 24]


def test_markdown_fences(tmp_path):
    page = write(
        tmp_path,
        "README.md",
        """\
        ```bash
        pip install .
        ```

        ```python
        x = 1
        print(x + 1)
        ```

        <!-- skdeep-docs: output -->
        ```text
        2
        ```
        """,
    )
    blocks = page_blocks(page)
    assert [(b.language, b.runs, b.is_output) for b in blocks] == [
        ("bash", False, False),
        ("python", True, False),
        ("text", False, True),
    ]
    assert check_page(page, tmp_path) == []
    page.write_text(page.read_text().replace("```text\n2", "```text\n3"))
    (problem,) = check_page(page, tmp_path)
    assert "not what the block at line 5 prints" in problem


@pytest.mark.parametrize(
    "text, message",
    [
        (".. skdeep-docs: skip\n\n::\n\n    x = 1\n", "must give its reason"),
        (".. skdeep-docs: skip —\n\n::\n\n    x = 1\n", "must give its reason"),
        (".. skdeep-docs: skip — a cluster\n", "a marker with no block after it"),
        (".. skdeep-docs: maybe\n\n::\n\n    x = 1\n", "unknown marker"),
        (".. skdeep-docs: output\n\n.. code-block:: text\n\n   1\n", "must follow a Python block that runs"),
        (
            ".. skdeep-docs: skip — needs a cluster\n\n::\n\n    print(1)\n\n"
            ".. skdeep-docs: output\n\n.. code-block:: text\n\n   1\n",
            "the one at line 3 is skipped",
        ),
        ("Try it:\n\n>>> 1 + 1\n2\n", "doctest block is not run"),
        (".. code-block:: pycon\n\n   >>> 1 + 1\n   2\n", "'pycon' block is not run"),
    ],
)
def test_refused_forms_fail(tmp_path, text, message):
    (problem,) = check_page(write(tmp_path, "page.rst", text), tmp_path)
    assert message in problem


def test_a_skipped_block_does_not_run(tmp_path):
    page = write(
        tmp_path,
        "page.rst",
        """\
        .. skdeep-docs: skip — needs a scheduler at scheduler-address:8786

        ::

            raise SystemExit("ran")

        ::

            print("the next block runs")
        """,
    )
    blocks = page_blocks(page)
    assert blocks[0].skip == "needs a scheduler at scheduler-address:8786" and not blocks[0].runs
    assert check_page(page, tmp_path) == []


def test_output_blocks_compare_line_for_line_with_ellipsis(tmp_path):
    assert output_matches("0.964\n", "0.964\n")
    assert not output_matches("0.964\n", "0.963\n")
    assert output_matches("difference ...\npassed\n", "difference 1.2e-10  \npassed\n\n")
    assert not output_matches("difference ...\npassed\n", "difference 1.2e-10\nfailed\n")
    page = write(
        tmp_path,
        "page.rst",
        """\
        ::

            print(round(2 / 3, 3))

        .. skdeep-docs: output

        .. code-block:: text

           0.667

        ::

            print("second")

        .. skdeep-docs: output

        .. code-block:: text

           first
        """,
    )
    (problem,) = check_page(page, tmp_path)
    assert "line 17: the output block is not what the block at line 11 prints" in problem
    assert "first" in problem and "second" in problem


def test_the_pages_run_this_skdeep(tmp_path):
    page = write(tmp_path, "page.rst", "::\n\n    import skdeep\n    print(skdeep.__file__)\n")
    blocks = page_blocks(page)
    assert run_blocks(blocks, tmp_path)["outputs"] == [skdeep.__file__ + "\n"]


def test_a_missing_optional_package_skips_the_rest_of_its_page(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "OPTIONAL", OPTIONAL | {"skdeep_docs_not_installed"})
    text = """\
        ::

            print("runs")

        .. skdeep-docs: output

        .. code-block:: text

           {}

        ::

            import skdeep_docs_not_installed.sub

        ::

            raise SystemExit("not run")
        """
    page = write(tmp_path, "page.rst", text.format("runs"))
    with pytest.raises(pytest.skip.Exception, match="page.rst, line 11 and after: skdeep_docs_not_installed is not"):
        check_page(page, tmp_path)
    # what runs before the cut is still checked
    page = write(tmp_path, "page.rst", text.format("something else"))
    (problem,) = check_page(page, tmp_path)
    assert "the output block is not what the block at line 1 prints" in problem


def test_a_missing_package_no_extra_installs_fails(tmp_path):
    (problem,) = check_page(write(tmp_path, "page.rst", "::\n\n    import zarr_not_installed_anywhere\n"), tmp_path)
    assert "ModuleNotFoundError: No module named 'zarr_not_installed_anywhere'" in problem
