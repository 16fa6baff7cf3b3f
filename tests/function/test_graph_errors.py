"""Kernel errors inside a tf.function name the node and the user's lines that created it."""

import re

import pytest

import tapeflow as tf

HERE = __file__


def _frames(message):
    return re.findall(r'  File "([^"]+)", line (\d+), in (\S+)', message)


def _line_of(fn, text):
    """Line number in this file of the line inside `fn` containing `text`."""
    import inspect
    lines, start = inspect.getsourcelines(fn)
    for k, line in enumerate(lines):
        if text in line:
            return start + k
    raise AssertionError(text)


def gather_twice(p, i, j):
    y = p * 2.0
    a = tf.gather(y, i)                      # first GatherV2
    b = tf.gather(y, j)                      # second GatherV2
    return a + b


def test_replay_error_names_node_and_user_line():
    f = tf.function(gather_twice)
    p = tf.constant([1.0, 2.0, 3.0])
    assert float(f(p, tf.constant(0), tf.constant(1))) == 6.0
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        f(p, tf.constant(0), tf.constant(5))          # a replay: same signature
    msg = str(info.value)
    assert msg.startswith("Graph execution error:\n\nDetected at node GatherV2_1 defined at "
                          "(most recent call last):\n")
    assert "indices = 5 is not in [0, 3)\n\t [[{node GatherV2_1}]]".replace(
        "{node", "{{node").replace("}]]", "}}]]") in msg
    assert re.search(r"\[Op:__inference_gather_twice_\d+\]$", msg)
    frames = _frames(msg)
    # Innermost: the line in gather_twice that created the failing gather; the test's
    # call site is among the outer frames.
    assert frames[-1] == (HERE, str(_line_of(gather_twice, "second GatherV2")), "gather_twice")
    assert any(fr[2] == "test_replay_error_names_node_and_user_line" and fr[0] == HERE
               for fr in frames)
    assert not any("tapeflow/_src" in fr[0] for fr in frames)
    assert info.value.message == msg


def test_first_gather_failing_is_the_unsuffixed_node():
    f = tf.function(gather_twice)
    p = tf.constant([1.0, 2.0, 3.0])
    f(p, tf.constant(0), tf.constant(1))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Detected at node GatherV2 "):
        f(p, tf.constant(4), tf.constant(1))


def test_first_call_error_is_reported_the_same_way():
    f = tf.function(gather_twice)
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        f(tf.constant([1.0, 2.0]), tf.constant(0), tf.constant(9))
    msg = str(info.value)
    assert msg.startswith("Graph execution error:")
    assert "indices = 9 is not in [0, 2)" in msg
    assert _frames(msg)[-1] == (HERE, str(_line_of(gather_twice, "second GatherV2")),
                                "gather_twice")


def test_error_under_a_tape_replay_is_reported_too():
    f = tf.function(gather_twice)
    p = tf.constant([1.0, 2.0, 3.0])
    f(p, tf.constant(0), tf.constant(1))
    with tf.GradientTape() as tape:
        tape.watch(p)
        with pytest.raises(tf.errors.InvalidArgumentError, match="Detected at node GatherV2_1"):
            f(p, tf.constant(0), tf.constant(3))


def test_error_in_an_inner_function_points_at_the_inner_line():
    @tf.function
    def inner(x, n):
        return tf.reshape(x, [n, -1])                 # the failing op

    @tf.function
    def outer(x, n):
        return inner(x * 1.0, n) + 1.0

    x = tf.ones([6])
    outer(x, tf.constant(2))
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        outer(x, tf.constant(4))
    msg = str(info.value)
    assert "Detected at node Reshape defined at" in msg
    assert _frames(msg)[-1][1:] == (str(_line_of(inner.python_function, "the failing op")),
                                    "inner")
    assert msg.count("Graph execution error") == 1


def test_successful_calls_are_unaffected_and_eager_errors_keep_their_text():
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.gather(tf.constant([1.0]), 3)
    assert str(info.value) == "indices = 3 is not in [0, 1) [Op:GatherV2] name: "
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.gather(tf.constant([1.0]), [3])
    assert str(info.value) == "indices[0] = 3 is not in [0, 1) [Op:GatherV2]"


def test_node_names_carry_the_name_scope_on_replay_and_first_call():
    def f(p, i):
        with tf.name_scope("block"):
            a = tf.gather(p, 0)
            b = tf.gather(p, i)
        return a + b + tf.gather(p, 1)

    g = tf.function(f)
    p = tf.constant([1.0, 2.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"node block/GatherV2_1 "):
        g(p, tf.constant(4))                           # first call (the trace)
    g = tf.function(f)
    g(p, tf.constant(1))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\{\{node block/GatherV2_1\}\}"):
        g(p, tf.constant(4))                           # replay


def test_name_scope_leaves_other_exceptions_untouched():
    with pytest.raises(KeyError) as info:
        with tf.name_scope("s"):
            raise KeyError("k")
    assert not hasattr(info.value, "_tf_name_scope")
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        with tf.name_scope("s"):
            with tf.name_scope("u"):
                tf.gather(tf.constant([1.0]), 3)
    assert info.value._tf_name_scope == "s/u/"
    with tf.name_scope("t") as scope:
        assert scope == "t/"


def _helper_adds_a_string(x):
    return x + "a"                                    # the failing line


def test_python_errors_while_tracing_say_where_in_user_code():
    @tf.function
    def f(x):
        y = x * 2
        return _helper_adds_a_string(y)

    with pytest.raises(TypeError) as info:
        f(tf.constant(1))
    lines = str(info.value).splitlines()
    assert lines[0] == "in user code:" and lines[1] == ""
    assert lines[2].endswith("in f  *") and lines[3].strip() == "return _helper_adds_a_string(y)"
    assert lines[4] == (f'    File "{HERE}", line '
                        f'{_line_of(_helper_adds_a_string, "the failing line")}, '
                        f'in _helper_adds_a_string  *')
    assert lines[-1] == ("    TypeError: Input 'y' of 'AddV2' Op has type string that does "
                         "not match type int32 of argument 'x'.")

    @tf.function
    def g(x):
        raise KeyError("k")

    with pytest.raises(KeyError) as info:
        g(1.0)
    assert str(info.value).endswith("    KeyError: 'k'\n")
    assert str(info.value).startswith("in user code:\n")


def test_errors_without_user_frames_or_special_ones_stay_as_they_are():
    @tf.function
    def it(x):
        return next(iter([]))                          # StopIteration is not wrapped

    with pytest.raises(StopIteration):
        it(1.0)
    with pytest.raises(ValueError, match=r"^Both labels= and logits= must be given.$"):
        tf.function(tf.nn.sparse_softmax_cross_entropy_with_logits)(labels=tf.constant([0]))
