"""Shared pytest setup: the repository root on sys.path (for tests.helpers) and a clean
tape/seed/name state around every test."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(autouse=True)
def _clean_global_state():
    from tapeflow._src.framework import context
    yield
    context.tapes.clear()
    context.name_scope_stack.clear()
