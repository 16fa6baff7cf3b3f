"""model.summary(): Keras 2's table of layers, output shapes and parameter counts."""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework.tensor_shape import TensorShape


def _shape_text(shape):
    if isinstance(shape, (list,)):
        inner = [_shape_text(s) for s in shape]
        return inner[0] if len(inner) == 1 else "[" + ", ".join(inner) + "]"
    if isinstance(shape, TensorShape):
        shape = tuple(shape.as_list())
    return str(tuple(shape))


def _flat(x):
    if isinstance(x, (list, tuple)):
        return [y for v in x for y in _flat(v)]
    return [x]


def _count(weights):
    return int(sum(int(np.prod(w.shape.as_list())) for w in weights))


def _bytes(weights):
    return int(sum(int(np.prod(w.shape.as_list())) * w.dtype.size for w in weights))


def _readable(n):
    for unit in ("Byte", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.2f} {unit}"
        n /= 1024.0


def print_summary(model, line_length=None, positions=None, print_fn=None,
                  expand_nested=False, show_trainable=False, layer_range=None):
    print_fn = print_fn or print
    from tapeflow._src.keras.training import Functional, Sequential
    sequential_like = isinstance(model, Sequential)
    if not model.built or (isinstance(model, Sequential) and not model._k_graph) or (
            not isinstance(model, Functional) and not model.weights):
        raise ValueError("This model has not yet been built. Build the model first by "
                         "calling `build()` or by calling the model on a batch of data.")
    if not isinstance(model, Functional):
        sequential_like = True
    elif not sequential_like:
        # A functional model whose nodes form a chain prints like a Sequential model.
        ok = all(len(n.input_tensors()) <= 1 for n in model._k_nodes) and len(
            model._k_outputs) == 1 and len(model._k_inputs) == 1
        sequential_like = ok
    if sequential_like:
        line_length = line_length or 65
        positions = positions or [0.45, 0.85, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        positions = positions or [0.3, 0.6, 0.70, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    positions = list(positions)
    if show_trainable:  # a "Trainable" column of Y/N, 11 characters wide
        line_length += 11
        positions.append(line_length)
        header = header + ["Trainable"]

    def print_rows(fields, depth=0):
        # A nested model's rows (expand_nested) sit inside `depth` bars on each side.
        left = [str(x) for x in fields]
        last = len(positions) - 1
        while any(left):
            line = ""
            for col in range(len(left)):
                start = positions[col - 1] if col > 0 else 0
                end = positions[col]
                space = 2 if col != last else 0
                cutoff = end - start - space
                if col != last:
                    cutoff -= 1
                if col == 0:
                    cutoff -= depth
                fit = left[col][:cutoff]
                cands = [fit.find(x) + len(x) for x in ("),", "},", "],", "',")
                         if fit.find(x) >= 0]
                if cands:
                    cutoff = min(cands)
                    fit = fit[:cutoff]
                if col == 0:
                    line += "|" * depth + " "
                line += fit
                line += " " * space if space else ""
                left[col] = left[col][cutoff:]
                pad = positions[col] - len(line) - (depth if depth and col == last else 0)
                line += " " * pad
            print_fn(line + "|" * depth)

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    print_rows(header)
    print_fn("=" * line_length)
    def output_text(layer, container):
        if layer.__class__.__name__ == "InputLayer":
            return "[" + _shape_text(TensorShape(layer._batch_input_shape)) + "]"
        if isinstance(layer, Functional) and layer.__dict__.get("_k_inferred") and (
                layer.__dict__.get("_k_outputs")):
            # A nested Sequential whose shape came from data: its own graph's output shape
            # (Keras's `output_shape` of a model), not that of the node calling it.
            outs = layer.outputs
            return (_shape_text(outs[0].shape) if len(outs) == 1 else
                    "[" + ", ".join(_shape_text(t.shape) for t in outs) + "]")
        if layer._k_inbound_nodes and (not isinstance(container, Functional) or any(
                n in container._k_nodes for n in layer._k_inbound_nodes)):
            out = layer._k_inbound_nodes[0].outputs
            if isinstance(out, (list, tuple)):
                return "[" + ", ".join(_shape_text(t.shape) for t in out) + "]"
            return _shape_text(out.shape)
        if isinstance(layer, Functional) and getattr(layer, "_k_graph", True) and (
                layer.__dict__.get("_k_outputs")):
            # A nested model called eagerly (inside a subclassed model): its graph's output
            # shape, as Keras prints `layer.output_shape`.
            outs = layer.outputs
            return (_shape_text(outs[0].shape) if len(outs) == 1 else
                    "[" + ", ".join(_shape_text(t.shape) for t in outs) + "]")
        return "multiple"

    def connections(layer, container):
        conns = []
        nodes = [n for n in layer._k_inbound_nodes
                 if not isinstance(container, Functional) or n in container._k_nodes]
        for node in nodes[:1]:
            for t in node.input_tensors():
                src, src_node = t._keras_history[0], t._keras_history[1]
                idx = src._k_inbound_nodes.index(src_node) if src_node in \
                    src._k_inbound_nodes else 0
                outs = _flat(src_node.outputs) if src_node is not None else [t]
                k = next((j for j, o in enumerate(outs) if o is t), 0)
                conns.append(f"{src.name}[{idx}][{k}]")
        return str(conns)

    def print_layer(layer, container, depth=0, last_in_block=False):
        params = layer.count_params() if layer.built else 0
        fields = [f"{layer.name} ({type(layer).__name__})", output_text(layer, container),
                  params]
        if not sequential_like:
            fields.append(connections(layer, container))
        if show_trainable:
            fields.append("Y" if layer.trainable else "N")
        print_rows(fields, depth)
        inner = getattr(layer, "layers", None) if expand_nested else None
        if inner:
            print_fn("|" * (depth + 1) + "\u00af" * (line_length - 2 * depth - 2)
                     + "|" * (depth + 1))
            for j, sub in enumerate(inner):
                print_layer(sub, layer, depth + 1, j == len(inner) - 1)
            print_fn("|" * depth + "\u00af" * (line_length - 2 * depth) + "|" * depth)
            last_in_block = True  # as Keras: no spacer row right after an expanded block
        if not last_in_block:
            print_fn("|" * depth + " " * (line_length - 2 * depth) + "|" * depth)

    layers = model.layers
    if layer_range is not None:
        names = [l.name for l in layers]
        import re
        first = next((i for i, n in enumerate(names) if re.match(layer_range[0], n)), None)
        last_i = max((i for i, n in enumerate(names) if re.match(layer_range[1], n)),
                     default=None)
        if first is None or last_i is None:
            raise ValueError(f"Passed layer_range {layer_range} does not match any layer "
                             f"name in the model.")
        layers = layers[first:last_i + 1]
    for layer in layers:
        print_layer(layer, model)
    print_fn("=" * line_length)
    trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    total = _count(trainable) + _count(non_trainable)
    total_b = _bytes(trainable) + _bytes(non_trainable)
    print_fn(f"Total params: {total} ({_readable(total_b)})")
    print_fn(f"Trainable params: {_count(trainable)} ({_readable(_bytes(trainable))})")
    print_fn(f"Non-trainable params: {_count(non_trainable)} "
             f"({_readable(_bytes(non_trainable))})")
    print_fn("_" * line_length)
