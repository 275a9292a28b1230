"""The one-time malloc hint applied at the first backward pass (backprop.autograd.allocator)."""
import os
import subprocess
import sys

import pytest

CODE = ("import backprop as bp; from backprop.autograd import allocator as a; "
        "print(a._state['done']); x = bp.tensor([1.0], requires_grad=True); (x * 2).sum().backward(); "
        "print(a._state['done']); print(a.keep_freed_memory_for_reuse())")


def run(env_value):
    env = dict(os.environ)
    env.pop("BACKPROP_MALLOC_TUNING", None)
    if env_value is not None:
        env["BACKPROP_MALLOC_TUNING"] = env_value
    return subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, env=env,
                          check=True).stdout.split()


def test_import_changes_nothing_and_the_first_backward_applies_the_hint_once():
    before, after, again = run(None)
    assert before == "False" and after == "True"
    assert again == "False"  # applied once per process


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mallopt is glibc's")
def test_the_hint_applies_on_glibc_and_can_be_switched_off():
    code = "from backprop.autograd import allocator as a; print(a.keep_freed_memory_for_reuse())"
    on = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    env = dict(os.environ, BACKPROP_MALLOC_TUNING="0")
    off = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True).stdout.strip()
    assert on == "True" and off == "False"
    assert run("0")[1] == "True"  # the first backward still marks it done, without touching malloc
