"""Keras 2 `TextVectorization`: standardize, split, n-grams, then a `StringLookup`.

Standardization runs tapeflow string ops (or the user's callable, on a string tensor);
splitting and n-grams are done per string in Python, since tapeflow has no RaggedTensor;
the token lookup and encodings are the ones of categorical.py. Behaviour follows tf_keras
2.21 (vocabulary order, padding of 'int' outputs, tf_idf weights, config).
"""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.convert import convert_to_tensor
from tapeflow._src.framework.tensor import Tensor, _wrap
from tapeflow._src.framework.tensor_shape import TensorShape
from tapeflow._src.keras.engine import KerasTensor
from tapeflow._src.keras.layers.categorical import (
    COUNT, INT, MULTI_HOT, TF_IDF, PreprocessingLayer, StringLookup, _as_bytes_array,
    encode_categorical,
)

LOWER_AND_STRIP_PUNCTUATION = "lower_and_strip_punctuation"
LOWER, STRIP_PUNCTUATION = "lower", "strip_punctuation"
WHITESPACE, CHARACTER = "whitespace", "character"
_STRIP_REGEX = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'
_HELP = ("If restoring a model and `{0}` is a custom callable, please ensure the callable is "
         "registered as a custom object. See https://www.tensorflow.org/guide/keras/"
         "save_and_serialize#registering_the_custom_object for details. ")


def _ngrams(tokens, widths):
    out = []
    for w in widths:
        if w == 1:
            out.extend(tokens)
        else:
            out.extend(b" ".join(tokens[i:i + w]) for i in range(len(tokens) - w + 1))
    return out


class TextVectorization(PreprocessingLayer):
    """Turns strings into token indices or bag-of-words vectors over a learned vocabulary.

    >>> layer = tf.keras.layers.TextVectorization()
    >>> layer.adapt(["the cat", "the dog"])
    >>> layer(["the bird"]).numpy()
    array([[2, 1]])
    """

    def __init__(self, max_tokens=None, standardize=LOWER_AND_STRIP_PUNCTUATION,
                 split=WHITESPACE, ngrams=None, output_mode="int", output_sequence_length=None,
                 pad_to_max_tokens=False, vocabulary=None, idf_weights=None, sparse=False,
                 ragged=False, encoding="utf-8", **kwargs):
        kwargs.pop("vocabulary_size", None)
        kwargs.setdefault("dtype", "string")
        if kwargs["dtype"] is None:
            kwargs["dtype"] = "string"
        super().__init__(**kwargs)
        if not (standardize is None or callable(standardize) or standardize in (
                LOWER_AND_STRIP_PUNCTUATION, LOWER, STRIP_PUNCTUATION)):
            raise ValueError(
                "Unkown value for `standardize` argument of layer TextVectorization. "
                + _HELP.format("standardize") + "Allowed values are: `None`, a `Callable`, or "
                "one of the following values: ('lower_and_strip_punctuation', 'lower', "
                f"'strip_punctuation'). Received: {standardize}")
        if not (split is None or callable(split) or split in (WHITESPACE, CHARACTER)):
            raise ValueError(
                "Unkown value for `split` argument of layer TextVectorization. "
                + _HELP.format("split") + "Allowed values are: `None`, a `Callable`, or one of"
                f" the following values: ('whitespace', 'character'). Received: {split}")
        if output_mode == "binary":
            output_mode = MULTI_HOT
        if output_mode not in (INT, COUNT, MULTI_HOT, TF_IDF):
            raise ValueError("Unkown value for `output_mode` argument of layer "
                             "TextVectorization. Allowed values are: `None`, or one of the "
                             "following values: ('int', 'count', 'multi_hot', 'tf_idf'). "
                             f"Received: {output_mode}")
        if not (ngrams is None or (isinstance(ngrams, int) and ngrams > 0) or (
                isinstance(ngrams, (tuple, list)) and
                all(isinstance(n, int) and n > 0 for n in ngrams))):
            raise ValueError(f"`ngrams` must be None, an integer, or a tuple of integers. "
                             f"Received: ngrams={ngrams}")
        if output_sequence_length is not None and output_mode != INT:
            raise ValueError(f"`output_sequence_length` must not be set if `output_mode` is "
                             f"not 'int'. Received output_sequence_length="
                             f"{output_sequence_length}.")
        if ragged and output_mode != INT:
            raise ValueError(f"`ragged` must not be true if `output_mode` is `'int'`. "
                             f"Received: ragged={ragged} and output_mode={output_mode}")
        if ragged and output_sequence_length is not None:
            raise ValueError(f"`output_sequence_length` must not be set if ragged is True. "
                             f"Received: ragged={ragged} and output_sequence_length="
                             f"{output_sequence_length}")
        if sparse:
            raise NotImplementedError("TextVectorization(sparse=True): tapeflow has no "
                                      "SparseTensor.")
        self._max_tokens = max_tokens
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        if isinstance(ngrams, int):
            self._ngram_widths = tuple(range(1, ngrams + 1))
        else:
            self._ngram_widths = tuple(ngrams) if ngrams is not None else None
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._encoding = encoding
        self._ragged = bool(ragged)
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens,
            mask_token="" if output_mode == INT else None, output_mode=output_mode,
            sparse=sparse, encoding=encoding)  # auto-named, as Keras (uses up a name)
        self.pad_to_max_tokens = pad_to_max_tokens

    # -- vocabulary ------------------------------------------------------------------------
    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary in index order ('' and '[UNK]' first in 'int' mode)."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        """The size of the vocabulary, special tokens included."""
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Sets the vocabulary (and the idf weights in 'tf_idf' mode)."""
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)
        self._is_adapted = True

    # -- preprocessing ---------------------------------------------------------------------
    def _standardize_split(self, inputs):
        """Inputs -> (token lists, one per string; the leading shape) or, without a split,
        (the standardized object array, None)."""
        if isinstance(inputs, Tensor):
            if inputs.dtype != dtypes.string:
                raise ValueError(f"TextVectorization expects string inputs; received a tensor "
                                 f"of dtype {inputs.dtype.name}.")
            t = inputs
        else:
            t = _wrap(_as_bytes_array(inputs))
            if t._value.ndim == 0:
                t = convert_to_tensor(t._value[()], dtype=dtypes.string)
        std = self._standardize
        if std in (LOWER, LOWER_AND_STRIP_PUNCTUATION):
            from tapeflow._src.ops.string_ops import lower
            t = lower(t)  # ASCII-only, as Keras (no encoding given)
        if std in (STRIP_PUNCTUATION, LOWER_AND_STRIP_PUNCTUATION):
            from tapeflow._src.ops.string_ops import regex_replace
            t = regex_replace(t, _STRIP_REGEX, "")
        elif callable(std):
            t = std(t)
            if not isinstance(t, Tensor):
                t = _wrap(_as_bytes_array(t))
        arr = np.asarray(t._value, dtype=object)
        if self._split is None:
            return arr, None
        if arr.ndim > 1:
            if arr.shape[-1] != 1:
                raise ValueError(
                    "When using `TextVectorization` to tokenize strings, the input rank must "
                    "be 1 or the last shape dimension must be 1. Received: inputs.shape="
                    f"{tuple(arr.shape)} with rank={arr.ndim}")
            arr = arr[..., 0]
        lead = arr.shape
        split = self._split
        strings = arr.reshape(-1).tolist()
        rows = self._call_split(arr) if callable(split) else None
        docs = []
        for i, s in enumerate(strings):
            if split == WHITESPACE:
                toks = s.split()
            elif split == CHARACTER:
                toks = [c.encode("utf-8", "surrogateescape")
                        for c in s.decode("utf-8", "surrogateescape")]
            elif rows is not None:
                toks = rows[i]
            else:
                res = split(convert_to_tensor(s, dtype=dtypes.string))
                toks = np.asarray(res._value if isinstance(res, Tensor) else
                                  _as_bytes_array(res), dtype=object).reshape(-1).tolist()
            if self._ngram_widths is not None:
                toks = _ngrams(toks, self._ngram_widths)
            docs.append(toks)
        return docs, lead

    def _call_split(self, arr):
        """A callable split applied to the batch as Keras does (token rows from the
        RaggedTensor or 2-D tensor it returns); None when it cannot take a batch (e.g.
        tf.strings.split of a vector, not in tapeflow yet): it is then called per string."""
        if arr.ndim != 1:
            return None
        try:
            res = self._split(_wrap(arr))
        except NotImplementedError:
            return None
        if hasattr(res, "to_list"):
            rows = res.to_list()
        elif isinstance(res, Tensor) and len(res.shape) == 2:
            rows = res._value.tolist()
        else:
            return None
        return rows if len(rows) == arr.shape[0] else None

    def _tokens_array(self, docs):
        flat = [t for d in docs for t in d]
        arr = np.empty(len(flat), object)
        arr[:] = flat
        return arr

    # -- adapt -----------------------------------------------------------------------------
    def reset_state(self):
        self._lookup_layer.reset_state()

    def _adapt_array(self, x):
        return x if isinstance(x, Tensor) else _wrap(_as_bytes_array(x))

    def update_state(self, data):
        docs, lead = self._standardize_split(data)
        look = self._lookup_layer
        if lead is None:
            # Without a split the strings are the tokens, and the batch is the document (one
            # per row for rank 2), as for StringLookup.
            look._count_tokens(np.asarray(docs, dtype=object))
        else:
            look._count_tokens(self._tokens_array(docs), docs=docs)

    def finalize_state(self):
        self._lookup_layer.finalize_state()
        self._lookup_layer._is_adapted = True

    def adapt(self, data, batch_size=None, steps=None):
        """Learns the vocabulary (and idf weights) from strings: an array, list, tensor or a
        dataset of strings, batched or not."""
        super().adapt(data, batch_size=batch_size, steps=steps)

    # -- call ------------------------------------------------------------------------------
    def call(self, inputs):
        docs, lead = self._standardize_split(inputs)
        look = self._lookup_layer
        mode = self._output_mode
        if lead is None:
            arr = docs
            idx = look._lookup(arr)
            if mode == INT:
                return _wrap(idx)
            rows = idx[None] if idx.ndim == 0 else idx
            return _wrap(encode_categorical(rows, mode if mode != TF_IDF else COUNT,
                                            look._depth()) * self._idf_row(mode))
        n = len(docs)
        lengths = [len(d) for d in docs]
        idx = look._lookup(self._tokens_array(docs))
        if mode == INT and self._ragged and len(lead) == 1:
            from tapeflow._src.ragged.ragged_tensor import RaggedTensor
            return RaggedTensor.from_row_lengths(_wrap(idx), _wrap(np.asarray(lengths,
                                                                              np.int64)))
        if mode == INT:
            width = max(lengths, default=0)
            if self._output_sequence_length is not None:
                width = self._output_sequence_length
            out = np.zeros((n, width), np.int64)
            pos = 0
            for r, k in enumerate(lengths):
                m = min(k, width)
                out[r, :m] = idx[pos:pos + m]
                pos += k
            return _wrap(out.reshape(lead + (width,)))
        depth = look._depth()
        out = np.zeros((n, depth), np.float32)
        rows = np.repeat(np.arange(n), lengths)
        if mode == MULTI_HOT:
            out[rows, idx] = 1.0
        else:
            np.add.at(out, (rows, idx), np.float32(1.0))
            if mode == TF_IDF:
                out = (out * self._idf_row(mode)).astype(np.float32)
        return _wrap(out.reshape(lead + (depth,)))

    def _idf_row(self, mode):
        if mode != TF_IDF:
            return np.float32(1.0)
        idf = self._lookup_layer._idf
        if idf is None:
            raise ValueError("tf_idf output needs idf weights: adapt the layer or pass "
                             "`idf_weights`.")
        return idf

    # -- symbolic --------------------------------------------------------------------------
    def compute_output_shape(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        if self._split is not None and len(shape) > 1 and shape[-1] == 1:
            shape = shape[:-1]
        if self._output_mode == INT:
            if self._split is None:
                return TensorShape(shape)
            return TensorShape(shape + [self._output_sequence_length])
        return TensorShape(shape + [self._lookup_layer._depth()])

    def _k_infer_outputs(self, input_shapes, dtypes_, rest=(), kwargs=None):
        return KerasTensor(self.compute_output_shape(input_shapes),
                           "int64" if self._output_mode == INT else "float32")

    def get_config(self):
        look = self._lookup_layer
        config = super().get_config()
        vocab = look.input_vocabulary
        if vocab is not None and not isinstance(vocab, str):
            vocab = [v.decode("utf-8", "surrogateescape") if isinstance(v, bytes) else v
                     for v in np.asarray(_as_bytes_array(vocab)).tolist()]
        idf = look.input_idf_weights
        config.update({
            "max_tokens": look.max_tokens, "standardize": self._standardize,
            "split": self._split, "ngrams": self._ngrams_arg, "output_mode": self._output_mode,
            "output_sequence_length": self._output_sequence_length,
            "pad_to_max_tokens": look.pad_to_max_tokens, "sparse": look.sparse,
            "ragged": self._ragged, "vocabulary": vocab,
            "idf_weights": None if idf is None else np.asarray(idf).tolist(),
            "encoding": self._encoding, "vocabulary_size": self.vocabulary_size(),
        })
        return config
