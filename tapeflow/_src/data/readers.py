"""File-based datasets: TextLineDataset, TFRecordDataset, FixedLengthRecordDataset,
`Dataset.list_files`, and `Dataset.save` / `Dataset.load`."""

from __future__ import annotations

import glob
import os
import pickle

import numpy as np

from tapeflow._src.data import structure
from tapeflow._src.data.dataset import UNKNOWN, Dataset
from tapeflow._src.framework import dtypes
from tapeflow._src.framework.errors import InvalidArgumentError, NotFoundError
from tapeflow._src.framework.tensor_spec import TensorSpec
from tapeflow._src.io import tfrecord


def _scalar_string(b: bytes) -> np.ndarray:
    out = np.empty((), dtype=object)
    out[()] = b
    return out


def _filenames_dataset(filenames):
    if isinstance(filenames, Dataset):
        spec = filenames.element_spec
        if not isinstance(spec, TensorSpec) or spec.dtype != dtypes.string:
            raise TypeError("`filenames` must be a `tf.data.Dataset` of `tf.string` elements.")
        return filenames
    elem = structure.normalize(filenames)
    if isinstance(elem, (tuple, dict)) or elem.dtype != object:
        raise TypeError("`filenames` must be a `tf.Tensor` of `tf.string`.")
    flat = elem.reshape(-1)
    return Dataset.from_tensor_slices(flat) if flat.size else _EmptyStrings()


class _EmptyStrings(Dataset):
    def _card(self):
        return 0

    def _compute_spec(self):
        return TensorSpec([], dtypes.string)

    def _make_iterator(self):
        return iter(())


def _name_of(leaf) -> str:
    v = leaf[()] if isinstance(leaf, np.ndarray) else leaf
    return v.decode() if isinstance(v, bytes) else str(v)


class _FileRecordDataset(Dataset):
    """Reads records from each file in turn (or `num_parallel_reads` files interleaved)."""

    def __init__(self, filenames, compression_type=None, num_parallel_reads=None):
        self._files = _filenames_dataset(filenames)
        self._compression = tfrecord.compression_type_name(compression_type)
        self._parallel = num_parallel_reads

    def _card(self):
        return UNKNOWN

    def _compute_spec(self):
        return TensorSpec([], dtypes.string)

    def _records(self, name):
        raise NotImplementedError

    def _make_iterator(self):
        if self._parallel is None or self._parallel == 1:
            return self._sequential()
        cycle = self._parallel
        outer = self._files.interleave(
            lambda f: _OneFile(self, _name_of(f.numpy())), cycle_length=None if cycle == -1
            else cycle, block_length=1, num_parallel_calls=cycle)
        return outer._make_iterator()

    def _sequential(self):
        for leaf in self._files._make_iterator():
            for rec in self._records(_name_of(leaf)):
                yield _scalar_string(rec)


class _OneFile(Dataset):
    def __init__(self, reader, name):
        self._reader, self._file = reader, name

    def _compute_spec(self):
        return TensorSpec([], dtypes.string)

    def _make_iterator(self):
        return (_scalar_string(r) for r in self._reader._records(self._file))


class TFRecordDataset(_FileRecordDataset):
    """The records of one or more TFRecord files, as scalar `tf.string` elements.

    >>> ds = tf.data.TFRecordDataset(["/tmp/x.tfrecord"])  # doctest: +SKIP
    """

    _name = "TFRecordDatasetV2"

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None, name=None):
        super().__init__(filenames, compression_type, num_parallel_reads)

    def _records(self, name):
        return tfrecord.read_records(name, self._compression)


class TextLineDataset(_FileRecordDataset):
    """The lines of one or more text files (without line endings), as `tf.string`."""

    _name = "TextLineDatasetV2"

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None, name=None):
        super().__init__(filenames, compression_type, num_parallel_reads)

    def _records(self, name):
        f = tfrecord.open_for_read(name, self._compression)
        try:
            data = f.read()
        finally:
            f.close()
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        for line in lines:
            yield line[:-1] if line.endswith(b"\r") else line


class FixedLengthRecordDataset(_FileRecordDataset):
    """Fixed-size records from binary files (after an optional header, before a footer)."""

    _name = "FixedLengthRecordDatasetV2"

    def __init__(self, filenames, record_bytes, header_bytes=None, footer_bytes=None,
                 buffer_size=None, compression_type=None, num_parallel_reads=None, name=None):
        super().__init__(filenames, compression_type, num_parallel_reads)
        self._record = int(record_bytes)
        self._header = int(header_bytes or 0)
        self._footer = int(footer_bytes or 0)

    def _records(self, name):
        f = tfrecord.open_for_read(name, self._compression)
        try:
            data = f.read()
        finally:
            f.close()
        body = data[self._header:len(data) - self._footer]
        for i in range(len(body) // self._record):
            yield body[i * self._record:(i + 1) * self._record]


def list_files(file_pattern, shuffle=None, seed=None):
    pats = structure.normalize(file_pattern)
    if isinstance(pats, Dataset) or isinstance(pats, (tuple, dict)):
        raise TypeError("file_pattern must be a string or a list of strings.")
    patterns = [_name_of(p) for p in np.asarray(pats, dtype=object).reshape(-1)]
    names = sorted({m for p in patterns for m in glob.glob(p)})
    if not names:
        raise InvalidArgumentError(None, None, f"Expected 'tf.Tensor(False, shape=(), "
                                   f"dtype=bool)' to be true. Summarized data: b'No files "
                                   f"matched pattern: {', '.join(patterns)}'")
    arr = np.empty(len(names), dtype=object)
    arr[:] = [n.encode() for n in names]
    ds = Dataset.from_tensor_slices(arr)
    if shuffle is None or shuffle:
        ds = ds.shuffle(len(names), seed=seed)
    return ds


# -- save / load (tapeflow's own format: a pickled element spec plus pickled elements) -----
def save_dataset(dataset, path, compression=None):
    path = os.fspath(path)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "elements.pkl"), "wb") as f:
        for elem in dataset._iterator_with_options():
            pickle.dump(elem, f, protocol=pickle.HIGHEST_PROTOCOL)
    with open(os.path.join(path, "spec.pkl"), "wb") as f:
        pickle.dump((dataset.element_spec, dataset._card()), f)


class _LoadedDataset(Dataset):
    _name = "_LoadDataset"

    def __init__(self, path, spec, card):
        self._path, self._spec, self._n = path, spec, card

    def _card(self):
        return self._n

    def _compute_spec(self):
        return self._spec

    def _make_iterator(self):
        with open(os.path.join(self._path, "elements.pkl"), "rb") as f:
            while True:
                try:
                    yield pickle.load(f)
                except EOFError:
                    return


def load_dataset(path, element_spec=None, compression=None):
    path = os.fspath(path)
    spec_file = os.path.join(path, "spec.pkl")
    if not os.path.exists(spec_file):
        raise NotFoundError(None, None, f"Could not find a saved dataset in {path}.")
    with open(spec_file, "rb") as f:
        spec, card = pickle.load(f)
    return _LoadedDataset(path, element_spec if element_spec is not None else spec, card)


# -- CSV ------------------------------------------------------------------------------------

_CSV_TYPES = {dtypes.float32: np.float32, dtypes.float64: np.float64,
              dtypes.int32: np.int32, dtypes.int64: np.int64, dtypes.string: object}


class CsvDataset(Dataset):
    """The records of CSV files, one tuple of scalar tensors per line.

    `record_defaults` gives each column's type: a dtype (the field is required) or a default
    value (used for an empty field, or one equal to `na_value`). Fields may be quoted with
    `"` (a `""` inside is a quote) unless `use_quote_delim=False`.

    >>> ds = tf.data.experimental.CsvDataset("data.csv", [tf.float32, 0])  # doctest: +SKIP
    """

    _name = "CSVDatasetV2"

    def __init__(self, filenames, record_defaults, compression_type=None, buffer_size=None,
                 header=False, field_delim=",", use_quote_delim=True, na_value="",
                 select_cols=None, exclude_cols=None, name=None):
        self._files = _filenames_dataset(filenames)
        self._compression = tfrecord.compression_type_name(compression_type)
        if exclude_cols is not None:
            raise NotImplementedError("CsvDataset(exclude_cols=...) is not implemented in "
                                      "tapeflow; use select_cols.")
        self._columns = []   # (numpy type, default or None when required)
        for d in record_defaults:
            if isinstance(d, dtypes.DType) or (isinstance(d, type) and d in (float, int, str)):
                dt = dtypes.as_dtype(d)
                self._columns.append((dt, None))
                continue
            t = structure.normalize(d)
            dt = dtypes.from_numpy(np.asarray(t).dtype) if np.asarray(t).dtype != object \
                else dtypes.string
            if np.ndim(t) > 1 or (np.ndim(t) == 1 and np.size(t) > 1):
                raise ValueError("Each record default should be at most rank 1")
            value = np.asarray(t).reshape(-1)
            self._columns.append((dt, value[0] if value.size else None))
        for dt, _ in self._columns:
            if dt not in _CSV_TYPES:
                raise TypeError(f"Unsupported type {dtypes.tf_name(dt)} in record_defaults: "
                                "CsvDataset reads float32, float64, int32, int64 and string.")
        if select_cols is not None:
            select_cols = [int(c) for c in select_cols]
            if any(b <= a for a, b in zip(select_cols, select_cols[1:])):
                raise ValueError("select_cols is not strictly increasing.")
            if len(select_cols) != len(self._columns):
                raise ValueError("Length of select_cols and record_defaults do not match.")
        self._select = select_cols
        self._header, self._delim = bool(header), field_delim
        self._quote, self._na = bool(use_quote_delim), na_value

    def _card(self):
        return UNKNOWN

    def _compute_spec(self):
        return tuple(TensorSpec([], dt) for dt, _ in self._columns)

    def _fields(self, line):
        import csv
        if self._quote:
            rows = list(csv.reader([line], delimiter=self._delim, quotechar='"'))
        else:
            rows = list(csv.reader([line], delimiter=self._delim, quoting=csv.QUOTE_NONE))
        return rows[0] if rows else [""]

    def _parse(self, fields):
        n = len(self._columns)
        if self._select is None:
            if len(fields) > n:
                raise InvalidArgumentError(None, None, f"Expect {n} fields but have more in "
                                           "record [Op:IteratorGetNext] name: ")
            if len(fields) < n:
                raise InvalidArgumentError(None, None, f"Expect {n} fields but have "
                                           f"{len(fields)} in record [Op:IteratorGetNext] "
                                           "name: ")
            picked = fields
        else:
            if self._select[-1] >= len(fields):
                raise InvalidArgumentError(None, None, f"Expect {n} fields but have "
                                           f"{len(fields)} in record [Op:IteratorGetNext] "
                                           "name: ")
            picked = [fields[c] for c in self._select]
        out = []
        for i, (text, (dt, default)) in enumerate(zip(picked, self._columns)):
            if text == "" or text == self._na:
                if default is None:
                    raise InvalidArgumentError(None, None, f"Field {i} is required but "
                                               "missing in record! [Op:IteratorGetNext] "
                                               "name: ")
                value = default
            elif dt == dtypes.string:
                value = text.encode()
            else:
                try:
                    value = (float(text) if dt.is_floating else int(text, 10))
                except ValueError:
                    kind = "float" if dt == dtypes.float32 else (
                        "double" if dt == dtypes.float64 else "int32" if dt == dtypes.int32
                        else "int64")
                    raise InvalidArgumentError(None, None, (
                        f"Field {i} in record is not a valid {kind}: {text} "
                        "[Op:IteratorGetNext] name: ")) from None
            if dt == dtypes.string:
                out.append(_scalar_string(value if isinstance(value, bytes)
                                          else str(value).encode()))
            else:
                out.append(np.asarray(value, dtype=_CSV_TYPES[dt]))
        return tuple(out)

    def _make_iterator(self):
        for leaf in self._files._make_iterator():
            f = tfrecord.open_for_read(_name_of(leaf), self._compression)
            try:
                data = f.read()
            finally:
                f.close()
            lines = data.decode("utf-8").split("\n")
            if lines and lines[-1] == "":
                lines.pop()
            if self._header:
                lines = lines[1:]
            for line in lines:
                yield self._parse(self._fields(line[:-1] if line.endswith("\r") else line))


def _infer_csv_type(texts):
    """The dtype make_csv_dataset gives a column from sample values: int32 when every
    value is an integer that fits, else int64, else float32 when every value parses as a
    number, else string (empty values say nothing)."""
    values = [t for t in texts if t != ""]
    try:
        ints = [int(t, 10) for t in values]
    except ValueError:
        ints = None
    if ints is not None:
        if all(-2**31 <= i < 2**31 for i in ints):
            return dtypes.int32
        if all(-2**63 <= i < 2**63 for i in ints):
            return dtypes.int64
    try:
        for t in values:
            float(t)
        return dtypes.float32
    except ValueError:
        return dtypes.string


_CSV_ZERO = {dtypes.int32: np.int32(0), dtypes.int64: np.int64(0), dtypes.float32: 0.0,
             dtypes.float64: np.float64(0.0), dtypes.string: ""}


def make_csv_dataset(file_pattern, batch_size, column_names=None, column_defaults=None,
                     label_name=None, select_columns=None, field_delim=",",
                     use_quote_delim=True, na_value="", header=True, num_epochs=None,
                     shuffle=True, shuffle_buffer_size=10000, shuffle_seed=None,
                     prefetch_buffer_size=None, num_parallel_reads=None, sloppy=False,
                     num_rows_for_inference=100, compression_type=None, ignore_errors=False,
                     encoding="utf-8"):
    """Batches of CSV records as (OrderedDict of feature columns, label) pairs.

    Column names come from the files' header unless given; column types from
    `column_defaults` or, failing that, from the first `num_rows_for_inference` rows (int32,
    int64, float32 or string; an empty field takes 0 or ""). With `num_epochs=None` the
    records repeat forever and every batch is full.

    >>> ds = tf.data.experimental.make_csv_dataset("train.csv", 32,
    ...                                            label_name="survived")  # doctest: +SKIP
    """
    import collections
    import csv
    if isinstance(file_pattern, (str, bytes, os.PathLike)):
        patterns = [os.fspath(file_pattern)]
    else:
        patterns = [os.fspath(p) for p in file_pattern]
    files = sorted({f for p in patterns for f in glob.glob(p)})
    if not files:
        raise ValueError(f"No files match `file_pattern` {file_pattern}.")
    compression = tfrecord.compression_type_name(compression_type)

    def sample_rows():
        f = tfrecord.open_for_read(files[0], compression)
        try:
            lines = f.read().decode(encoding).splitlines()
        finally:
            f.close()
        reader = csv.reader(lines, delimiter=field_delim,
                            **({} if use_quote_delim else {"quoting": csv.QUOTE_NONE}))
        return list(reader)

    rows = None
    if column_names is None:
        if not header:
            raise ValueError("Expected `column_names` or `header` arguments. Neither was "
                             "provided.")
        rows = sample_rows()
        column_names = [c.strip() for c in rows[0]]
    column_names = list(column_names)
    if len(set(column_names)) != len(column_names):
        raise ValueError("Encountered duplicate column names.")
    if select_columns is not None:
        select = [column_names.index(c) if isinstance(c, str) else int(c)
                  for c in select_columns]
        select = sorted(select)
    else:
        select = list(range(len(column_names)))
    names = [column_names[i] for i in select]
    if label_name is not None and label_name not in names:
        raise ValueError(f"`label_name` provided must be one of the columns: {names}. "
                         f"Received: {label_name}")
    if column_defaults is None:
        rows = rows if rows is not None else sample_rows()
        body = rows[1:] if header else rows
        body = body[:num_rows_for_inference]
        column_defaults = [_CSV_ZERO[_infer_csv_type([r[i] if i < len(r) else ""
                                                      for r in body])] for i in select]
    if len(column_defaults) != len(select):
        raise ValueError("The number of `column_defaults` does not match the number of "
                         "selected columns.")
    ds = CsvDataset(files, list(column_defaults), compression_type=compression_type,
                    header=header, field_delim=field_delim, use_quote_delim=use_quote_delim,
                    na_value=na_value,
                    select_cols=select if select_columns is not None else None)
    if num_epochs != 1 and shuffle:
        ds = ds.shuffle(shuffle_buffer_size, seed=shuffle_seed).repeat(num_epochs)
    elif num_epochs != 1:
        ds = ds.repeat(num_epochs)
    elif shuffle:
        ds = ds.shuffle(shuffle_buffer_size, seed=shuffle_seed)
    ds = ds.batch(batch_size, drop_remainder=num_epochs is None)

    def to_dict(*columns):
        features = collections.OrderedDict(zip(names, columns))
        if label_name is None:
            return features
        label = features.pop(label_name)
        return features, label
    ds = ds.map(to_dict)
    return ds.prefetch(prefetch_buffer_size or 1)
