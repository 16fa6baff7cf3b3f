"""Keras 2 categorical preprocessing layers: `PreprocessingLayer`, `StringLookup`,
`IntegerLookup`, `CategoryEncoding` and `Discretization`.

The lookup tables are Python dicts and the work is done in NumPy on the string tensors'
object arrays of `bytes`; `TextVectorization` (text.py) builds on the lookup here. The
layers follow tf_keras 2.21: vocabulary order after `adapt` (count, then token, both
descending), index layout (mask, OOV indices, learned tokens), output dtypes (int64
indices, float32 encodings) and messages of the errors users meet.
"""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.convert import convert_to_tensor
from tapeflow._src.framework.errors import FailedPreconditionError, InvalidArgumentError
from tapeflow._src.framework.tensor import Tensor, _wrap
from tapeflow._src.framework.tensor_shape import TensorShape
from tapeflow._src.keras.engine import KerasTensor, Layer

INT, ONE_HOT, MULTI_HOT, COUNT, TF_IDF = "int", "one_hot", "multi_hot", "count", "tf_idf"


# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------

def _numpy(x):
    """A tensor, variable, array, list or scalar as a NumPy array (strings as bytes)."""
    if isinstance(x, Tensor):
        return x._value if isinstance(x._value, np.ndarray) else np.asarray(x._value)
    if hasattr(x, "numpy") and not isinstance(x, np.ndarray):
        return np.asarray(x.numpy())
    arr = np.asarray(x)
    if arr.dtype.kind in "US":
        return convert_to_tensor(x, dtype=dtypes.string)._value
    return arr


def _as_bytes_array(x):
    """`x` as an object array of `bytes` (the storage of a tapeflow string tensor)."""
    if isinstance(x, Tensor) and x.dtype == dtypes.string:
        v = x._value
        return v if isinstance(v, np.ndarray) else np.asarray(v, dtype=object)
    arr = np.asarray(x.numpy() if hasattr(x, "numpy") and not isinstance(x, np.ndarray)
                     else x)
    if arr.dtype == object or arr.dtype.kind in "US":
        return np.asarray(convert_to_tensor(arr.tolist() if arr.dtype == object else arr,
                                            dtype=dtypes.string)._value, dtype=object)
    raise ValueError(f"Expected string inputs, got an array of dtype {arr.dtype}.")


def _is_dataset(data):
    return (hasattr(data, "__iter__") and not isinstance(data, (np.ndarray, list, tuple, str,
                                                                 bytes, Tensor))
            and not hasattr(data, "_read"))


def _adapt_batches(data, batch_size, steps, to_array):
    """The batches `adapt` feeds to `update_state`: a dataset's elements as they come, an
    array / list / tensor cut into batches of `batch_size` (32 by default, as Keras)."""
    if _is_dataset(data):
        for i, elem in enumerate(data):
            if steps is not None and i >= steps:
                break
            if isinstance(elem, tuple):
                raise ValueError("adapt() expects a dataset of inputs only; received a dataset "
                                 "whose elements are tuples (e.g. (x, y)). Map it to x first.")
            yield to_array(elem)
        return
    arr = to_array(data)
    if arr.ndim == 0:
        yield arr
        return
    size = batch_size or 32
    for i, start in enumerate(range(0, max(len(arr), 1), size)):
        if steps is not None and i >= steps:
            break
        yield arr[start:start + size]


def _check_mode(layer, mode, allowed):
    if mode not in allowed:
        raise ValueError(f"Unkown value for `output_mode` argument of layer {layer}. Allowed "
                         f"values are: or one of the following values: {allowed}. Received: "
                         f"{mode}")


def encode_categorical(indices, mode, depth, count_weights=None, idf_weights=None,
                       ignore=None):
    """Keras's one_hot / multi_hot / count / tf_idf encoding of int indices, in NumPy.

    A rank-0 or rank-1 input (after one_hot adds a trailing axis when the last one is not
    1) is one sample and gives a `(depth,)` vector; rank 2 gives `(batch, depth)`.
    `ignore`: a boolean array like `indices` of entries that count for nothing (a lookup
    layer's mask tokens outside 'int' mode)."""
    x = np.asarray(indices)
    if ignore is not None:
        x = np.where(ignore, 0, x)
    if mode == ONE_HOT and (x.ndim == 0 or x.shape[-1] != 1):
        x = x[..., None]
    if x.ndim > 2:
        raise ValueError(f"When output_mode is not `'int'`, maximum supported output rank is 2."
                         f" Received output_mode {mode} and input shape {tuple(indices.shape)},"
                         f" which would result in output rank {x.ndim}.")
    flat = x.reshape(-1)
    if flat.size and (flat.min() < 0 or flat.max() >= depth):
        raise InvalidArgumentError(None, None, (
            "Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. Summarized data: "
            "b'Input values must be in the range 0 <= values < num_tokens with "
            f"num_tokens={depth}'"))
    rows = 1 if x.ndim <= 1 else x.shape[0]
    out = np.zeros((rows, depth), np.float32)
    row_ids = np.zeros(flat.size, np.int64) if x.ndim <= 1 else np.repeat(
        np.arange(rows), x.shape[1])
    w = np.ones(flat.size, np.float32) if count_weights is None else \
        np.asarray(count_weights, np.float32).reshape(-1)
    if ignore is not None:
        w = np.where(np.broadcast_to(ignore, np.shape(indices)).reshape(-1), np.float32(0), w)
    np.add.at(out, (row_ids, flat.astype(np.int64)), w)
    if mode in (ONE_HOT, MULTI_HOT):
        out = (out > 0).astype(np.float32)
    elif mode == TF_IDF:
        out = (out * np.asarray(idf_weights, np.float32)).astype(np.float32)
    return out if x.ndim == 2 else out[0]


# ---------------------------------------------------------------------------------------
# PreprocessingLayer
# ---------------------------------------------------------------------------------------

class PreprocessingLayer(Layer):
    """Base of the layers whose state comes from data through `adapt`.

    Subclasses implement `reset_state`, `update_state(batch)` and `finalize_state`.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Keras only autocasts to floating compute dtypes; these layers' dtypes are int64 /
        # string, so their inputs pass through unchanged.
        self._autocast = False
        self._is_adapted = False

    @property
    def is_adapted(self):
        """Whether `adapt` has been run on the layer."""
        return self._is_adapted

    def reset_state(self):
        raise NotImplementedError(f"{type(self).__name__} does not implement reset_state.")

    def update_state(self, data):
        raise NotImplementedError(f"{type(self).__name__} does not implement update_state.")

    def finalize_state(self):
        pass

    def _adapt_array(self, x):
        return _numpy(x)

    def adapt(self, data, batch_size=None, steps=None):
        """Computes the layer's state from `data`: an array, list, tensor or a dataset (whose
        elements are used as batches)."""
        self.reset_state()
        rank = None
        for batch in _adapt_batches(data, batch_size, steps, self._adapt_array):
            if rank is None:
                rank = len(batch.shape)
            self.update_state(batch)
        self.finalize_state()
        self._is_adapted = True
        # As Keras: an adapted layer knows its input rank (all dims unknown), so a Sequential
        # that starts with it is built (and its config lists batch_input_shape).
        if rank is not None and not hasattr(self, "_batch_input_shape"):
            self._batch_input_shape = (None,) * rank


# ---------------------------------------------------------------------------------------
# IndexLookup: StringLookup and IntegerLookup
# ---------------------------------------------------------------------------------------

class _IndexLookup(PreprocessingLayer):
    """Token <-> index lookup shared by StringLookup and IntegerLookup."""

    _STRING = True  # whether the tokens are strings (else int64)

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary_dtype,
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 sparse=False, pad_to_max_tokens=False, **kwargs):
        kwargs.pop("vocabulary_size", None)
        kwargs.pop("has_input_vocabulary", None)
        super().__init__(**kwargs)
        name = type(self).__name__
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"If set, `max_tokens` must be greater than 1. Received: "
                             f"max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"If pad_to_max_tokens is True, must set `max_tokens`. Received: "
                             f"max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError(f"`num_oov_indices` must be greater than or equal to 0. Received: "
                             f"num_oov_indices={num_oov_indices}")
        if output_mode == "binary":
            output_mode = MULTI_HOT
        if output_mode not in (INT, ONE_HOT, MULTI_HOT, COUNT, TF_IDF):
            raise ValueError(f"Unkown value for `output_mode` argument of layer {name}. "
                             f"Allowed values are: `None`, or one of the following values: "
                             f"('int', 'one_hot', 'multi_hot', 'count', 'tf_idf'). Received: "
                             f"{output_mode}")
        if invert and output_mode != INT:
            raise ValueError(f"`output_mode` must be `'int'` when `invert` is true. Received: "
                             f"output_mode={output_mode}")
        if sparse:
            raise NotImplementedError("sparse=True is not implemented in tapeflow (no "
                                      "SparseTensor outputs).")
        if output_mode == TF_IDF and idf_weights is None and vocabulary is not None:
            raise ValueError("`idf_weights` must be set if output_mode is TF_IDF")
        if output_mode != TF_IDF and idf_weights is not None:
            raise ValueError(f"`idf_weights` should only be set if output_mode is `'tf_idf'`. "
                             f"Received: output_mode={output_mode} and "
                             f"idf_weights={idf_weights}")
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.vocabulary_dtype = vocabulary_dtype
        self.invert = invert
        self.output_mode = output_mode
        self.sparse = sparse
        self.pad_to_max_tokens = pad_to_max_tokens
        self.input_vocabulary = vocabulary
        self.input_idf_weights = idf_weights
        self._tokens = None         # learned tokens in index order (keys: bytes / int)
        self._index = None          # key -> index
        self._idf = None            # float32 idf per output index (tf_idf mode)
        self.reset_state()
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # -- keys ------------------------------------------------------------------------------
    def _key(self, token):
        if self._STRING:
            if isinstance(token, bytes):
                return token
            return str(token).encode("utf-8")
        return int(token)

    def _public(self, key):
        if self._STRING:
            return np.str_(key.decode("utf-8", "surrogateescape"))
        return np.int64(key)

    def _special(self, token):
        # Special tokens are returned as given (str for StringLookup, int64 for integers).
        if self._STRING:
            return token.decode() if isinstance(token, bytes) else token
        return np.int64(token)

    def _oov_start(self):
        return 1 if self.mask_token is not None and self.output_mode == INT else 0

    def _token_start(self):
        return self._oov_start() + self.num_oov_indices

    # -- vocabulary ------------------------------------------------------------------------
    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary in index order: mask token, OOV token(s), then the tokens."""
        tokens = [self._public(k) for k in (self._tokens or [])]
        if not include_special_tokens:
            return tokens
        specials = []
        if self.mask_token is not None and self.output_mode == INT:
            specials.append(self._special(self.mask_token))
        specials += [self._special(self.oov_token)] * self.num_oov_indices
        return specials + tokens

    def vocabulary_size(self):
        """The number of indices the layer produces (special tokens included)."""
        return self._token_start() + len(self._tokens or [])

    def _depth(self):
        if self.pad_to_max_tokens and self.max_tokens is not None:
            return self.max_tokens
        return self.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Sets the vocabulary (a list, array, tensor or a path to a file with one token a
        line) and, in tf_idf mode, the idf weights."""
        if self.output_mode == TF_IDF:
            if idf_weights is None:
                raise ValueError("`idf_weights` must be set if output_mode is TF_IDF")
        elif idf_weights is not None:
            raise ValueError(f"`idf_weights` should only be set if output_mode is `'tf_idf'`. "
                             f"Received: output_mode={self.output_mode} and "
                             f"idf_weights={idf_weights}")
        if isinstance(vocabulary, str):
            with open(vocabulary, "rb") as f:
                vocabulary = [ln.rstrip(b"\r\n") for ln in f]
                if vocabulary and vocabulary[-1] == b"":
                    vocabulary.pop()
        vocab = _numpy(vocabulary).reshape(-1).tolist()
        keys = [self._key(t) for t in vocab]
        if not keys:
            raise ValueError(f"Cannot set an empty vocabulary, you passed {vocabulary}.")
        oov_key = self._key(self.oov_token) if self.oov_token is not None else None
        mask_key = self._key(self.mask_token) if self.mask_token is not None else None
        specials = []
        if mask_key is not None and self.output_mode == INT:
            specials.append(mask_key)
        specials += [oov_key] * self.num_oov_indices
        if keys[:len(specials)] == specials and specials:
            keys = keys[len(specials):]
            if idf_weights is not None:
                idf_weights = np.asarray(idf_weights).reshape(-1)[len(specials):]
        if len(set(keys)) != len(keys):
            seen, rep = set(), []
            for k in keys:
                if k in seen and k not in rep:
                    rep.append(k)
                seen.add(k)
            raise ValueError("The passed vocabulary has at least one repeated term. Please "
                             f"uniquify your dataset. The repeated terms are "
                             f"{[self._public(k) for k in rep]}")
        if mask_key is not None and mask_key in keys:
            at = [i for i, k in enumerate(self._raw_keys(vocab)) if k == mask_key][-1:]
            raise ValueError(
                "Found reserved mask token at unexpected location in `vocabulary`. Note that "
                "passed `vocabulary` does not need to include the OOV and mask tokens. Either "
                "remove all mask and OOV tokens, or include them only at the start of the "
                f"vocabulary in precisely this order: {self._specials_public()}. Received: "
                f"mask_token={self.mask_token} at vocabulary index {at}")
        # The OOV token may appear as a token unless the layer inverts (as Keras).
        if oov_key is not None and self.invert and oov_key in keys:
            at = [i for i, k in enumerate(self._raw_keys(vocab)) if k == oov_key][-1:]
            raise ValueError(
                "Found reserved OOV token at unexpected location in `vocabulary`. Note that "
                "passed `vocabulary` does not need to include the OOV and mask tokens. Either "
                "remove all mask and OOV tokens, or include them only at the start of the "
                f"vocabulary in precisely this order: {self._specials_public()}. Received: "
                f"oov_token={self.oov_token} at vocabulary index {at}")
        size = self._token_start() + len(keys)
        if self.max_tokens is not None and size > self.max_tokens:
            raise ValueError(f"Attempted to set a vocabulary larger than the maximum vocab size."
                             f" Received vocabulary size is {size}; `max_tokens` is "
                             f"{self.max_tokens}.")
        self._set_tokens(keys)
        if self.output_mode == TF_IDF:
            idf = np.asarray(_numpy(idf_weights), np.float32).reshape(-1)
            if len(idf) != len(keys):
                raise ValueError(f"`idf_weights` must be the same length as vocabulary. "
                                 f"len(idf_weights) is {len(idf)}; len(vocabulary) is "
                                 f"{len(keys)}")
            self._set_idf(idf)
        self._is_adapted = True

    def _raw_keys(self, vocab):
        return [self._key(t) for t in vocab]

    def _specials_public(self):
        out = [self._special(self.mask_token)] if (
            self.mask_token is not None and self.output_mode == INT) else []
        return out + [self._special(self.oov_token)] * self.num_oov_indices

    def _set_tokens(self, keys):
        self._tokens = list(keys)
        start = self._token_start()
        self._index = {k: start + i for i, k in enumerate(keys)}
        if self.mask_token is not None and self.output_mode == INT:
            self._index[self._key(self.mask_token)] = 0
        self._table_ready = True

    def _set_idf(self, idf):
        # OOV indices get the mean idf of the tokens; the mask index (if any) gets 0.
        mean = np.float32(idf.mean()) if idf.size else np.float32(0)
        full = np.concatenate([np.zeros(self._oov_start(), np.float32),
                               np.full(self.num_oov_indices, mean, np.float32), idf])
        depth = self._depth()
        if depth > full.size:
            full = np.concatenate([full, np.zeros(depth - full.size, np.float32)])
        self._idf = full

    # -- adapt -----------------------------------------------------------------------------
    def reset_state(self):
        self._counts = {}
        self._doc_counts = {}
        self._num_docs = 0

    def _adapt_array(self, x):
        return _as_bytes_array(x) if self._STRING else _numpy(x)

    def update_state(self, data):
        arr = np.asarray(data)
        self._count_tokens(arr)

    def _count_tokens(self, arr, docs=None):
        """Adds the tokens of `arr` to the counts. `docs`: list of per-document token lists
        (for tf_idf document frequencies); defaults to the rows of `arr`."""
        counts = self._counts
        for t in arr.reshape(-1).tolist():
            k = self._key(t)
            counts[k] = counts.get(k, 0) + 1
        if self.output_mode == TF_IDF:
            if docs is None:
                docs = [arr.reshape(-1).tolist()] if arr.ndim <= 1 else \
                    [row.reshape(-1).tolist() for row in arr]
            for doc in docs:
                for k in {self._key(t) for t in doc}:
                    self._doc_counts[k] = self._doc_counts.get(k, 0) + 1
            self._num_docs += len(docs)

    def finalize_state(self):
        counts = self._counts
        mask_key = self._key(self.mask_token) if self.mask_token is not None else None
        oov_key = self._key(self.oov_token) if self.oov_token is not None else None
        keys = [k for k in counts if k != mask_key and k != oov_key]
        # Most frequent first; equal counts in descending token order (as Keras's lexsort).
        keys.sort(key=lambda k: (counts[k], k), reverse=True)
        if self.max_tokens is not None:
            keys = keys[:max(self.max_tokens - self._token_start(), 0)]
        self._set_tokens(keys)
        if self.output_mode == TF_IDF:
            n = self._num_docs
            dc = np.array([self._doc_counts.get(k, 0) for k in keys], np.float64)
            idf = np.log(1.0 + n / (1.0 + dc)).astype(np.float32)
            self._set_idf(idf)
        self.reset_state()

    # -- call ------------------------------------------------------------------------------
    def _require_table(self):
        if self._tokens is None:
            raise FailedPreconditionError(None, None, (
                "Table not initialized. [Op:LookupTableFindV2] name: "))

    def _lookup(self, arr):
        """Index of every element of the key array `arr` (int64, same shape)."""
        self._require_table()
        index = self._index
        out = np.empty(arr.shape, np.int64)
        flat = out.reshape(-1)
        oov = []
        n_oov = self.num_oov_indices
        start = self._oov_start()
        # Outside 'int' mode the mask token has no index: -1, which encodings skip.
        drop = self._key(self.mask_token) if (
            self.mask_token is not None and self.output_mode != INT) else None
        for i, t in enumerate(arr.reshape(-1).tolist()):
            k = self._key(t)
            j = index.get(k)
            if j is None and drop is not None and k == drop:
                j = -1
            elif j is None:
                if n_oov == 1:
                    j = start
                elif n_oov == 0:
                    oov.append(k)
                    j = -1
                else:
                    j = start + self._oov_bucket(k, n_oov)
            flat[i] = j
        if oov:
            shown = ", ".join(f'"{o.decode("utf-8", "replace")}"' if isinstance(o, bytes)
                              else str(o) for o in oov[:3])
            raise InvalidArgumentError(None, None, (
                "Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. Summarized data: "
                "b'When `num_oov_indices=0` all inputs should be in vocabulary, found OOV "
                f"values [{shown}], consider setting `num_oov_indices=1`.'"))
        return out

    def _oov_bucket(self, key, n):
        if not self._STRING:
            return key % n
        from tapeflow._src.ops.string_hash_ops import fingerprint64
        return fingerprint64(key) % n

    def _invert(self, arr):
        self._require_table()
        idx = np.asarray(arr).astype(np.int64)
        vocab = [self._key(self.mask_token) if self.mask_token is not None and
                 self.output_mode == INT else None]
        vocab = (vocab if vocab[0] is not None else []) + \
            [self._key(self.oov_token)] * self.num_oov_indices + list(self._tokens)
        oov = self._key(self.oov_token)
        n = len(vocab)
        if self._STRING:
            out = np.empty(idx.shape, object)
        else:
            out = np.empty(idx.shape, np.int64)
        flat = out.reshape(-1)
        for i, j in enumerate(idx.reshape(-1).tolist()):
            flat[i] = vocab[j] if 0 <= j < n else oov
        return out

    def _convert_input(self, inputs):
        if self.invert:
            return _numpy(inputs)
        if self._STRING:
            return _as_bytes_array(inputs)
        return _numpy(inputs)

    def call(self, inputs):
        arr = self._convert_input(inputs)
        if self.invert:
            out = self._invert(arr)
            return _wrap(out) if out.ndim else _wrap(out[()]) if not self._STRING else \
                convert_to_tensor(out[()], dtype=dtypes.string)
        idx = self._lookup(arr)
        if self.output_mode == INT:
            return _wrap(idx)
        depth = self._depth()
        if self.output_mode == TF_IDF and self._idf is None:
            raise ValueError("tf_idf output needs idf weights: adapt the layer or pass "
                             "`idf_weights`.")
        return _wrap(encode_categorical(idx, self.output_mode, depth,
                                        idf_weights=self._idf if self.output_mode == TF_IDF
                                        else None,
                                        ignore=idx < 0 if self.mask_token is not None else None))

    # -- symbolic --------------------------------------------------------------------------
    def _out_dtype(self):
        if self.invert:
            return "string" if self._STRING else "int64"
        return "int64" if self.output_mode == INT else "float32"

    def compute_output_shape(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        if self.output_mode == INT:
            return TensorShape(shape)
        depth = self._depth() if self._tokens is not None else None
        if self.output_mode == ONE_HOT and (not shape or shape[-1] != 1):
            shape = shape + [1]
        return TensorShape(shape[:-1] + [depth] if len(shape) > 1 else [depth])

    def _k_infer_outputs(self, input_shapes, dtypes_, rest=(), kwargs=None):
        return KerasTensor(self.compute_output_shape(input_shapes), self._out_dtype())

    def get_config(self):
        config = super().get_config()
        vocab = self.input_vocabulary
        if vocab is not None and not isinstance(vocab, str):
            vocab = _numpy(vocab).tolist()
            if vocab and isinstance(vocab[0], bytes):
                vocab = [v.decode("utf-8", "surrogateescape") for v in vocab]
        idf = self.input_idf_weights
        if idf is not None:
            idf = np.asarray(_numpy(idf)).tolist()
        config.update({
            "invert": self.invert, "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token,
            "mask_token": self.mask_token, "output_mode": self.output_mode,
            "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
        })
        return config, vocab, idf


class StringLookup(_IndexLookup):
    """Maps strings to integer indices in a vocabulary (given, or learned by `adapt`).

    >>> layer = tf.keras.layers.StringLookup(vocabulary=["a", "b"])
    >>> layer(tf.constant(["b", "z"])).numpy()
    array([2, 0])
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, encoding="utf-8", invert=False,
                 output_mode="int", sparse=False, pad_to_max_tokens=False, **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == INT else "float32"
        self.encoding = encoding
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, "string",
                         vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad_to_max_tokens, **kwargs)

    def get_config(self):
        config, vocab, idf = super().get_config()
        config.update({"idf_weights": idf, "vocabulary": vocab,
                       "vocabulary_size": self.vocabulary_size(), "encoding": self.encoding})
        return config


class IntegerLookup(_IndexLookup):
    """Maps integers to indices in a vocabulary (given, or learned by `adapt`).

    >>> layer = tf.keras.layers.IntegerLookup(vocabulary=[12, 36])
    >>> layer(tf.constant([36, 7])).numpy()
    array([2, 0])
    """

    _STRING = False

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 output_mode="int", sparse=False, pad_to_max_tokens=False, **kwargs):
        if dtypes.as_dtype(vocabulary_dtype) != dtypes.int64:
            raise NotImplementedError(f"IntegerLookup with vocabulary_dtype={vocabulary_dtype}"
                                      f": TensorFlow's CPU lookup tables only take int64.")
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == INT else "float32"
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"If `max_tokens` is set for `IntegerLookup`, it must be greater "
                             f"than 1. Received: max_tokens={max_tokens}.")
        if num_oov_indices < 0:
            raise ValueError(f"The value of `num_oov_indices` argument for `IntegerLookup` "
                             f"must >= 0. Received num_oov_indices={num_oov_indices}.")
        super().__init__(max_tokens, num_oov_indices, mask_token,
                         None if oov_token is None else int(oov_token), "int64",
                         vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad_to_max_tokens, **kwargs)

    def _adapt_array(self, x):
        arr = _numpy(x)
        if arr.dtype.kind not in "iu":
            raise ValueError(f"IntegerLookup.adapt expects integer data; received dtype "
                             f"{arr.dtype}.")
        return arr

    def get_config(self):
        config, vocab, idf = super().get_config()
        config.update({"oov_token": np.int64(self.oov_token) if self.oov_token is not None
                       else None, "vocabulary_dtype": "int64", "idf_weights": idf,
                       "vocabulary": vocab, "vocabulary_size": self.vocabulary_size()})
        return config


# ---------------------------------------------------------------------------------------
# CategoryEncoding
# ---------------------------------------------------------------------------------------

class CategoryEncoding(Layer):
    """Encodes integer category indices as one-hot, multi-hot or count vectors.

    >>> tf.keras.layers.CategoryEncoding(num_tokens=3, output_mode="one_hot")([2, 0]).numpy()
    array([[0., 0., 1.],
           [1., 0., 0.]], dtype=float32)
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        if "max_tokens" in kwargs:
            num_tokens = kwargs.pop("max_tokens")
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = MULTI_HOT
        _check_mode("CategoryEncoding", output_mode, (COUNT, ONE_HOT, MULTI_HOT))
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of tokens "
                             "is not known beforehand, use the IntegerLookup layer instead.")
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if sparse:
            raise NotImplementedError("CategoryEncoding(sparse=True): tapeflow has no "
                                      "SparseTensor.")
        self.num_tokens, self.output_mode, self.sparse = num_tokens, output_mode, sparse

    def call(self, inputs, count_weights=None):
        if count_weights is not None and self.output_mode != COUNT:
            raise ValueError("`count_weights` is not used when `output_mode` is not `'count'`."
                             f" Received `count_weights={count_weights}`.")
        idx = _numpy(inputs)
        weights = None if count_weights is None else _numpy(count_weights)
        out = encode_categorical(idx, self.output_mode, self.num_tokens, count_weights=weights)
        return _wrap(out.astype(self.dtype or "float32"))

    def compute_output_shape(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        if not shape:
            return TensorShape([self.num_tokens])
        if self.output_mode == ONE_HOT and shape[-1] != 1:
            return TensorShape(shape + [self.num_tokens])
        return TensorShape(shape[:-1] + [self.num_tokens])

    def _k_infer_outputs(self, input_shapes, dtypes_, rest=(), kwargs=None):
        return KerasTensor(self.compute_output_shape(input_shapes), self.dtype or "float32")

    def get_config(self):
        config = super().get_config()
        config.update({"num_tokens": self.num_tokens, "output_mode": self.output_mode,
                       "sparse": self.sparse})
        return config


# ---------------------------------------------------------------------------------------
# Discretization
# ---------------------------------------------------------------------------------------

def _summarize(values, epsilon):
    """A weighted quantile summary of one batch: every `n * epsilon`-th sorted value, each
    weighing that many samples (float32, as Keras computes it)."""
    values = np.sort(values.reshape(-1).astype(np.float32))
    n = np.float32(values.size)
    increment = int(n / np.float32(1.0 / epsilon))
    step = max(increment, 1)
    bounds = values[increment::step]
    return np.stack([bounds, np.full(bounds.shape, np.float32(step))]).astype(np.float32)


def _compress(summary, epsilon):
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum = summary[1].cumsum()
    cum_pct = cum / cum[-1]
    new_bins = np.interp(percents, cum_pct, summary[0])
    cum = np.interp(percents, cum_pct, cum)
    weights = cum - np.concatenate((np.array([0]), cum[:-1]))
    return np.stack((new_bins, weights)).astype(np.float32)


def _merge(prev, new, epsilon):
    merged = np.concatenate([prev, new], axis=1)
    merged = merged[:, np.argsort(merged[0], kind="stable")]
    return _compress(merged, epsilon)


class Discretization(PreprocessingLayer):
    """Buckets continuous values by bin boundaries (given, or quantiles learned by `adapt`).

    >>> tf.keras.layers.Discretization(bin_boundaries=[0.0, 1.0])([-1.0, 0.5, 2.0]).numpy()
    array([0, 1, 2])
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, **kwargs):
        if "bins" in kwargs:
            bin_boundaries = kwargs.pop("bins")
        if "dtype" not in kwargs or kwargs["dtype"] is None:
            kwargs["dtype"] = "int64" if output_mode == INT else "float32"
        super().__init__(**kwargs)
        _check_mode("Discretization", output_mode, (INT, ONE_HOT, MULTI_HOT, COUNT))
        if sparse:
            raise NotImplementedError("Discretization(sparse=True): tapeflow has no "
                                      "SparseTensor.")
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"`num_bins` must be greater than or equal to 0. You passed "
                             f"`num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(f"Both `num_bins` and `bin_boundaries` should not be set. You "
                             f"passed `num_bins={num_bins}` and "
                             f"`bin_boundaries={bin_boundaries}`")
        if bin_boundaries is not None:
            bin_boundaries = [float(b) for b in _numpy(bin_boundaries).reshape(-1)]
        self.input_bin_boundaries = bin_boundaries
        self.bin_boundaries = bin_boundaries if bin_boundaries is not None else []
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse
        self.reset_state()

    def reset_state(self):
        if self.input_bin_boundaries is not None:
            return
        self._summary = np.zeros((2, 0), np.float32)

    def update_state(self, data):
        if self.input_bin_boundaries is not None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized "
                             "with `bin_boundaries`, use `num_bins` instead.")
        summary = _summarize(np.asarray(data, np.float32), self.epsilon)
        self._summary = _merge(summary, self._summary, self.epsilon)

    def finalize_state(self):
        if self.input_bin_boundaries is not None:
            return
        if self._summary.shape[1] == 0:
            self.bin_boundaries = []
            return
        bounds = _compress(self._summary, 1.0 / self.num_bins)[0, :-1]
        self.bin_boundaries = [float(b) for b in bounds]

    def adapt(self, data, batch_size=None, steps=None):
        if self.input_bin_boundaries is not None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized "
                             "with `bin_boundaries`, use `num_bins` instead.")
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer without `num_bins`.")
        super().adapt(data, batch_size=batch_size, steps=steps)

    def call(self, inputs):
        x = _numpy(inputs)
        if x.dtype.kind not in "fiub":
            raise ValueError(f"Discretization expects numeric inputs; received dtype {x.dtype}.")
        bounds = np.asarray(self.bin_boundaries, np.float32)
        # Bucketize compares float inputs in their own precision, ints against the
        # boundaries cast to float.
        idx = np.searchsorted(bounds, x.astype(np.float32) if x.dtype.kind == "f" and
                              x.dtype.itemsize <= 4 else x.astype(np.float64),
                              side="right").astype(np.int64)
        if self.output_mode == INT:
            return _wrap(idx.reshape(x.shape))
        out = encode_categorical(idx.reshape(x.shape), self.output_mode, len(bounds) + 1)
        return _wrap(out.astype(self.dtype or "float32"))

    def compute_output_shape(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        if self.output_mode == INT:
            return TensorShape(shape)
        depth = len(self.bin_boundaries) + 1
        if self.output_mode == ONE_HOT and (not shape or shape[-1] != 1):
            shape = shape + [1]
        return TensorShape(shape[:-1] + [depth] if len(shape) > 1 else [depth])

    def _k_infer_outputs(self, input_shapes, dtypes_, rest=(), kwargs=None):
        return KerasTensor(self.compute_output_shape(input_shapes),
                           "int64" if self.output_mode == INT else self.dtype)

    def get_config(self):
        config = super().get_config()
        config.update({"bin_boundaries": self.input_bin_boundaries, "num_bins": self.num_bins,
                       "epsilon": self.epsilon, "output_mode": self.output_mode,
                       "sparse": self.sparse})
        return config


# ---------------------------------------------------------------------------------------
# Hashing
# ---------------------------------------------------------------------------------------

class Hashing(Layer):
    """Hashes strings (or integers, through their decimal text) into `num_bins` bins with
    FarmHash Fingerprint64, or keyed SipHash when `salt` is given.

    >>> tf.keras.layers.Hashing(num_bins=5)([["a"], ["b"]]).numpy()
    array([[4],
           [2]])
    """

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **kwargs):
        if num_bins is None or num_bins <= 0:
            raise ValueError(f"The `num_bins` for `Hashing` cannot be `None` or non-positive "
                             f"values. Received: num_bins={num_bins}.")
        if "dtype" not in kwargs or kwargs["dtype"] is None:
            kwargs["dtype"] = "int64" if output_mode == INT else "float32"
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = MULTI_HOT
        self._autocast = False  # never cast float inputs to the int64 layer dtype
        _check_mode("Hashing", output_mode, (INT, ONE_HOT, MULTI_HOT, COUNT))
        if sparse:
            raise NotImplementedError("Hashing(sparse=True): tapeflow has no SparseTensor.")
        if salt is not None:
            if isinstance(salt, (tuple, list)) and len(salt) == 2 and all(
                    isinstance(s, (int, np.integer)) for s in salt):
                salt = [int(salt[0]), int(salt[1])]
            elif isinstance(salt, (int, np.integer)) and not isinstance(salt, bool):
                salt = [int(salt), int(salt)]
            else:
                raise ValueError(f"The `salt` argument for `Hashing` can only be a tuple of "
                                 f"size 2 integers, or a single integer. Received: "
                                 f"salt={salt}.")
        self.num_bins, self.mask_value, self.salt = num_bins, mask_value, salt
        self.output_mode, self.sparse = output_mode, sparse

    def _hash(self, keys, n):
        from tapeflow._src.ops.string_hash_ops import fingerprint64, siphash24
        out = np.empty(keys.shape, np.int64)
        flat = out.reshape(-1)
        if self.salt is None:
            for i, k in enumerate(keys.reshape(-1).tolist()):
                flat[i] = fingerprint64(k) % n
        else:
            k0, k1 = self.salt
            for i, k in enumerate(keys.reshape(-1).tolist()):
                flat[i] = siphash24(k0, k1, k) % n
        return out

    def call(self, inputs):
        if isinstance(inputs, Tensor) and inputs.dtype == dtypes.string:
            keys = _as_bytes_array(inputs)
        else:
            arr = _numpy(inputs)
            if arr.dtype == object or arr.dtype.kind in "US":
                keys = _as_bytes_array(arr)
            elif arr.dtype.kind in "iu":
                keys = np.empty(arr.shape, object)
                keys.reshape(-1)[:] = [str(v).encode() for v in arr.reshape(-1).tolist()]
            else:
                op = "StringToHashBucketStrong" if self.salt else "StringToHashBucketFast"
                kind = "float" if arr.dtype.kind == "f" else arr.dtype.name
                raise InvalidArgumentError(None, None, (
                    f"cannot compute {op} as input #0(zero-based) was expected to be a string "
                    f"tensor but is a {kind} tensor [Op:{op}] name: hash"))
        if self.mask_value is None:
            idx = self._hash(keys, self.num_bins)
        else:
            mask_key = (self.mask_value.encode() if isinstance(self.mask_value, str) else
                        self.mask_value if isinstance(self.mask_value, bytes) else
                        str(int(self.mask_value)).encode())
            idx = self._hash(keys, self.num_bins - 1) + 1
            is_mask = np.frompyfunc(lambda k: k == mask_key, 1, 1)(keys).astype(bool)
            idx = np.where(is_mask, 0, idx).astype(np.int64)
        if self.output_mode == INT:
            return _wrap(idx)
        return _wrap(encode_categorical(idx, self.output_mode, self.num_bins).astype(
            self.dtype or "float32"))

    def compute_output_shape(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        if self.output_mode == INT:
            return TensorShape(shape)
        if self.output_mode == ONE_HOT and (not shape or shape[-1] != 1):
            shape = shape + [1]
        return TensorShape(shape[:-1] + [self.num_bins] if len(shape) > 1 else [self.num_bins])

    def _k_infer_outputs(self, input_shapes, dtypes_, rest=(), kwargs=None):
        return KerasTensor(self.compute_output_shape(input_shapes),
                           "int64" if self.output_mode == INT else self.dtype)

    def get_config(self):
        config = super().get_config()
        config.update({"num_bins": self.num_bins, "salt": self.salt,
                       "mask_value": self.mask_value, "output_mode": self.output_mode,
                       "sparse": self.sparse})
        return config
