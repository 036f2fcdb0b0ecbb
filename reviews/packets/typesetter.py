"""Typst, laying out the packet template in a process of its own for each PDF.

Typst keeps what it computed for the last documents it laid out, for the next compile to reuse:
measured on a 150-item packet, about 35 MB a document, up to about 390 MB for the last ten or so,
and that memory is only returned when the process ends. Packets share nothing but the template
and fonts, so nothing is gained by keeping it: each layout runs in a child process that ends with
it (`max_tasks_per_child=1`), forked from a small server process that has loaded only this module
and Typst, so a child starts in milliseconds and the web process or worker never holds Typst's
memory. This module needs no Django, so that the server process imports nothing else.

The compiler's root is the templates' folder, which holds the templates only (the packet's and
the committee brief's), so not even a template could read another file; fonts come only from the
folders given (the system's are not searched), so every machine lays out a packet with the same
fonts and nothing is fetched.
"""

import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import typst

TEMPLATE_DIR = Path(__file__).parent / "typst"
TEMPLATE = TEMPLATE_DIR / "packet.typ"
BRIEF_TEMPLATE = TEMPLATE_DIR / "brief.typ"
# Layouts at once in one process's pool: a cycle export keeps one laying out while it reads the
# next packet, a download needs one.
LAYOUT_PROCESSES = 1

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def typeset(data_json: str, font_dirs: list[str], template: Path = TEMPLATE) -> bytes:
    """A template laid out with this data, which it reads as the input named after it
    (`sys.inputs.packet`, `sys.inputs.brief`): what the child process runs."""
    compiler = typst.Compiler(
        str(template), root=str(TEMPLATE_DIR), font_paths=font_dirs, ignore_system_fonts=True
    )
    return compiler.compile(format="pdf", sys_inputs={template.stem: data_json})


def _layout_pool() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([__name__])
            _pool = ProcessPoolExecutor(
                max_workers=LAYOUT_PROCESSES, mp_context=context, max_tasks_per_child=1
            )
        return _pool


def submit(data_json: str, font_dirs: list[str], template: Path = TEMPLATE) -> Future:
    """A layout started in a child process; its result is the PDF."""
    return _layout_pool().submit(typeset, data_json, font_dirs, template)
