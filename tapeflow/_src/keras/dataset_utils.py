"""tf.keras.utils data helpers: pad_sequences, timeseries_dataset_from_array,
text_dataset_from_directory and split_dataset (tf_keras 2.21 semantics)."""

from __future__ import annotations

import os
import random

import numpy as np

import tapeflow as tf


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0):
    """Pads (or truncates) a list of sequences to one length: a 2-D (or more) NumPy array.

    Args:
      sequences: A list of sequences (lists or arrays; items may themselves be arrays).
      maxlen: The output length; defaults to the longest sequence.
      dtype: The output dtype.
      padding: 'pre' or 'post': where to add `value`s.
      truncating: 'pre' or 'post': which end of a long sequence to drop.
      value: The padding value.

    Returns:
      An array of shape `(len(sequences), maxlen) + item_shape`.

    >>> tf.keras.utils.pad_sequences([[1, 2], [3]], padding="post").tolist()
    [[1, 2], [3, 0]]
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    num_samples = len(sequences)
    lengths = []
    sample_shape = ()
    found_first = False
    for x in sequences:
        try:
            lengths.append(len(x))
        except TypeError as e:
            raise ValueError(f"`sequences` must be a list of iterables. Found non-iterable: "
                             f"{str(x)}") from e
        if not found_first and len(x):
            sample_shape = np.asarray(x).shape[1:]
            found_first = True
    if maxlen is None:
        maxlen = np.max(lengths)
    is_dtype_str = np.issubdtype(dtype, np.str_)
    if isinstance(value, str) and dtype != object and not is_dtype_str:
        raise ValueError(f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}"
                         f"\nYou should set `dtype=object` for variable length strings.")
    out = np.full((num_samples, maxlen) + sample_shape, value, dtype=dtype)
    for idx, s in enumerate(sequences):
        if not len(s):
            continue
        if truncating == "pre":
            trunc = s[-maxlen:]
        elif truncating == "post":
            trunc = s[:maxlen]
        else:
            raise ValueError(f'Truncating type "{truncating}" not understood')
        trunc = np.asarray(trunc, dtype=dtype)
        if trunc.shape[1:] != sample_shape:
            raise ValueError(f"Shape of sample {trunc.shape[1:]} of sequence at position {idx} "
                             f"is different from expected shape {sample_shape}")
        if padding == "post":
            out[idx, :len(trunc)] = trunc
        elif padding == "pre":
            out[idx, -len(trunc):] = trunc
        else:
            raise ValueError(f'Padding type "{padding}" not understood')
    return out


def _check_timeseries_args(n, start_index, end_index, sampling_rate, sequence_stride):
    if start_index:
        if start_index < 0:
            raise ValueError(f"`start_index` must be 0 or greater. Received: "
                             f"start_index={start_index}")
        if start_index >= n:
            raise ValueError(f"`start_index` must be lower than the length of the data. "
                             f"Received: start_index={start_index}, for data of length {n}")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(f"`end_index` must be higher than `start_index`. Received: "
                             f"start_index={start_index}, and end_index={end_index} ")
        if end_index >= n:
            raise ValueError(f"`end_index` must be lower than the length of the data. "
                             f"Received: end_index={end_index}, for data of length {n}")
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: "
                             f"end_index={end_index}")
    if sampling_rate <= 0:
        raise ValueError(f"`sampling_rate` must be higher than 0. Received: "
                         f"sampling_rate={sampling_rate}")
    if sampling_rate >= n:
        raise ValueError(f"`sampling_rate` must be lower than the length of the data. "
                         f"Received: sampling_rate={sampling_rate}, for data of length {n}")
    if sequence_stride <= 0:
        raise ValueError(f"`sequence_stride` must be higher than 0. Received: "
                         f"sequence_stride={sequence_stride}")
    if sequence_stride >= n:
        raise ValueError(f"`sequence_stride` must be lower than the length of the data. "
                         f"Received: sequence_stride={sequence_stride}, for data of length {n}")


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1,
                                  sampling_rate=1, batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None):
    """A dataset of sliding windows over `data` (and the target at each window's start).

    Window `i` holds `data[s], data[s + r], ..., data[s + (sequence_length - 1) * r]` with
    `s = start_index + i * sequence_stride` and `r = sampling_rate`; its target is
    `targets[s]`.

    Args:
      data: An array or tensor whose first axis is time.
      targets: Targets aligned with `data` along time, or None.
      sequence_length: Steps per window.
      sequence_stride: Steps between window starts.
      sampling_rate: Steps between samples inside a window.
      batch_size: Windows per batch; None gives unbatched windows.
      shuffle: Whether to shuffle the windows.
      seed: The shuffle seed.
      start_index, end_index: Only `data[start_index:end_index]` is used.

    Returns:
      A `tf.data.Dataset` of windows, or of `(windows, targets)` pairs.

    >>> ds = tf.keras.utils.timeseries_dataset_from_array(
    ...     np.arange(6), None, sequence_length=3, batch_size=None)
    >>> [w.tolist() for w in ds.as_numpy_iterator()]
    [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]]
    """
    n = len(data)
    _check_timeseries_args(n, start_index, end_index, sampling_rate, sequence_stride)
    if start_index is None:
        start_index = 0
    if end_index is None:
        end_index = n
    num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        num_seqs = min(num_seqs, len(targets))
    index_dtype = "int32" if num_seqs < 2147483647 else "int64"
    start_positions = np.arange(0, num_seqs, sequence_stride, dtype=index_dtype)
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(start_positions)
    window = tf.constant(np.arange(sequence_length, dtype=index_dtype) * sampling_rate)
    series = tf.convert_to_tensor(data[start_index:end_index])
    labels = None if targets is None else tf.convert_to_tensor(targets[start_index:end_index])

    # Windows are gathered from start positions; with batching, a whole batch of start
    # positions is gathered at once (the same elements as TF's per-window gathers).
    def windows(positions):
        idx = tf.expand_dims(positions, -1) + window
        if labels is None:
            return tf.gather(series, idx)
        return tf.gather(series, idx), tf.gather(labels, positions)

    dataset = tf.data.Dataset.from_tensor_slices(start_positions)
    if batch_size is not None:
        if shuffle:
            dataset = dataset.shuffle(buffer_size=batch_size * 8, seed=seed)
        dataset = dataset.batch(batch_size)
    elif shuffle:
        dataset = dataset.shuffle(buffer_size=1024, seed=seed)
    return dataset.map(windows)


# -- text files -------------------------------------------------------------------------------

def _check_validation_split_arg(validation_split, subset, shuffle, seed):
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: "
                         f"{validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'`subset` must be either "training", "validation" or "both", '
                         f"received: {subset}")
    if validation_split and shuffle and seed is None:
        raise ValueError("If using `validation_split` and shuffling the data, you must provide "
                         "a `seed` argument, to make sure that there is no overlap between the "
                         "training and validation subset.")


def _index_directory(directory, labels, formats, class_names, shuffle, seed, follow_links):
    """File paths (class subfolders in sorted order, files sorted), labels and class names."""
    if labels != "inferred":
        subdirs = [""]
        class_names = subdirs
    else:
        subdirs = [d for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if not class_names:
            class_names = subdirs
        elif set(class_names) != set(subdirs):
            raise ValueError(f"The `class_names` passed did not match the names of the "
                             f"subdirectories of the target directory. Expected: {subdirs}, "
                             f"but received: {class_names}")
    class_indices = dict(zip(class_names, range(len(class_names))))
    filenames, found_labels = [], []
    for subdir in subdirs:
        root_dir = os.path.join(directory, subdir)
        dirname = os.path.basename(root_dir)
        walk = sorted(os.walk(root_dir, followlinks=follow_links), key=lambda w: w[0])
        for root, _, files in walk:
            for fname in sorted(files):
                if fname.lower().endswith(formats):
                    rel = os.path.relpath(os.path.join(root, fname), root_dir)
                    filenames.append(os.path.join(dirname, rel))
                    found_labels.append(class_indices[dirname])
    if labels not in ("inferred", None):
        if len(labels) != len(filenames):
            raise ValueError(f"Expected the lengths of `labels` to match the number of files in "
                             f"the target directory. len(labels) is {len(labels)} while we "
                             f"found {len(filenames)} files in directory {directory}.")
        class_names = sorted(set(labels))
    else:
        labels = np.array(found_labels, dtype="int32")
    if labels is None:
        print(f"Found {len(filenames)} files.")
    else:
        print(f"Found {len(filenames)} files belonging to {len(class_names)} classes.")
    file_paths = [os.path.join(directory, f) for f in filenames]
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(file_paths)
        np.random.RandomState(seed).shuffle(labels)
    return file_paths, labels, class_names


def _split(samples, labels, validation_split, subset):
    if not validation_split:
        return samples, labels
    num_val = int(validation_split * len(samples))
    if subset == "training":
        print(f"Using {len(samples) - num_val} files for training.")
        return samples[:-num_val], labels[:-num_val]
    if subset == "validation":
        print(f"Using {num_val} files for validation.")
        return samples[-num_val:], labels[-num_val:]
    raise ValueError(f'`subset` must be either "training" or "validation", received: {subset}')


def _text_dataset(file_paths, labels, label_mode, num_classes, max_length):
    def read(path):
        text = tf.io.read_file(path)
        if max_length is not None:  # a byte prefix, as tf.strings.substr(text, 0, max_length)
            text = tf.constant(text.numpy()[:max_length])
        return text

    dataset = tf.data.Dataset.from_tensor_slices(file_paths).map(read)
    if label_mode:
        label_ds = tf.data.Dataset.from_tensor_slices(labels)
        if label_mode == "binary":
            label_ds = label_ds.map(lambda x: tf.expand_dims(tf.cast(x, "float32"), axis=-1))
        elif label_mode == "categorical":
            label_ds = label_ds.map(lambda x: tf.one_hot(x, num_classes))
        dataset = tf.data.Dataset.zip((dataset, label_ds))
    return dataset


def _batch_and_shuffle(dataset, batch_size, shuffle, seed, training=True):
    if batch_size is not None:
        if shuffle and training:
            dataset = dataset.shuffle(buffer_size=batch_size * 8, seed=seed)
        return dataset.batch(batch_size)
    if shuffle and training:
        dataset = dataset.shuffle(buffer_size=1024, seed=seed)
    return dataset


def text_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                class_names=None, batch_size=32, max_length=None, shuffle=True,
                                seed=None, validation_split=None, subset=None,
                                follow_links=False):
    """A dataset of `.txt` file contents labelled by their class subfolder.

    `directory/class_a/*.txt`, `directory/class_b/*.txt`, ... give labels 0, 1, ... in
    sorted folder order (`label_mode='int'`), one-hot (`'categorical'`), a float
    `(1,)` vector (`'binary'`, two classes) or no labels (`None`). The dataset has a
    `class_names` attribute. `subset='both'` returns `[train, validation]`.

    Returns:
      A `tf.data.Dataset` of string tensors, or of `(text, label)` pairs.
    """
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(
                "`labels` argument should be a list/tuple of integer labels, of the same size "
                "as the number of text files in the target directory. If you wish to infer "
                "the labels from the subdirectory names in the target directory, pass "
                '`labels="inferred"`. If you wish to get a dataset that only contains text '
                f"samples (no labels), pass `labels=None`. Received: labels={labels}")
        if class_names:
            raise ValueError(f'You can only pass `class_names` if `labels="inferred"`. '
                             f"Received: labels={labels}, and class_names={class_names}")
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError(f'`label_mode` argument must be one of "int", "categorical", "binary", '
                         f"or None. Received: label_mode={label_mode}")
    if labels is None or label_mode is None:
        labels = label_mode = None
    _check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    file_paths, labels, class_names = _index_directory(
        directory, labels, (".txt",), class_names, shuffle, seed, follow_links)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f'When passing `label_mode="binary"`, there must be exactly 2 '
                         f"class_names. Received: class_names={class_names}")
    labels_for_split = labels if labels is not None else [None] * len(file_paths)
    if subset == "both":
        train = _split(file_paths, labels_for_split, validation_split, "training")
        val = _split(file_paths, labels_for_split, validation_split, "validation")
        if not train[0]:
            raise ValueError(f"No training text files found in directory {directory}. Allowed "
                             f"format: .txt")
        if not val[0]:
            raise ValueError(f"No validation text files found in directory {directory}. "
                             f"Allowed format: .txt")
        datasets = []
        for (paths, labs), training in ((train, True), (val, False)):
            ds = _text_dataset(paths, labs, label_mode, len(class_names), max_length)
            ds = _batch_and_shuffle(ds, batch_size, shuffle, seed, training)
            ds.class_names = class_names
            datasets.append(ds)
        return datasets
    paths, labs = _split(file_paths, labels_for_split, validation_split, subset)
    if not paths:
        raise ValueError(f"No text files found in directory {directory}. Allowed format: .txt")
    dataset = _text_dataset(paths, labs, label_mode, len(class_names), max_length)
    dataset = _batch_and_shuffle(dataset, batch_size, shuffle, seed)
    dataset.class_names = class_names
    return dataset


# -- split_dataset ----------------------------------------------------------------------------

def _split_sizes(left_size, right_size, total):
    lt, rt = type(left_size), type(right_size)
    if (left_size is not None and lt not in (int, float)) and (
            right_size is not None and rt not in (int, float)):
        raise TypeError(f"Invalid `left_size` and `right_size` Types. Expected: integer or "
                        f"float or None, Received: type(left_size)={lt} and "
                        f"type(right_size)={rt}")
    if left_size is not None and lt not in (int, float):
        raise TypeError(f"Invalid `left_size` Type. Expected: int or float or None, Received: "
                        f"type(left_size)={lt}.  ")
    if right_size is not None and rt not in (int, float):
        raise TypeError(f"Invalid `right_size` Type. Expected: int or float or None,Received: "
                        f"type(right_size)={rt}.")
    if left_size == 0 and right_size == 0:
        raise ValueError("Both `left_size` and `right_size` are zero. At least one of the split "
                         "sizes must be non-zero.")
    if (lt is int and (left_size <= 0 or left_size >= total)
            or lt is float and (left_size <= 0 or left_size >= 1)):
        raise ValueError(f"`left_size` should be either a positive integer smaller than {total}, "
                         f"or a float within the range `[0, 1]`. Received: left_size="
                         f"{left_size}")
    if (rt is int and (right_size <= 0 or right_size >= total)
            or rt is float and (right_size <= 0 or right_size >= 1)):
        raise ValueError(f"`right_size` should be either a positive integer and smaller than "
                         f"{total} or a float within the range `[0, 1]`. Received: right_size="
                         f"{right_size}")
    if rt is lt is float and right_size + left_size > 1:
        raise ValueError("The sum of `left_size` and `right_size` is greater than 1. It must be "
                         "less than or equal to 1.")
    # As tf_keras: fractions become rounded ints, counts become floats (shown in messages).
    left = round(left_size * total) if lt is float else (float(left_size) if lt is int else None)
    right = (round(right_size * total) if rt is float
             else (float(right_size) if rt is int else None))
    if left is None:
        left = total - right
    elif right is None:
        right = total - left
    if left + right > total:
        raise ValueError(f"The sum of `left_size` and `right_size` should be smaller than the "
                         f"{{total_length}}. Received: left_size + right_size = "
                         f"{left + right}and total_length = {total}")
    for split, side in ((left, "left"), (right, "right")):
        if split == 0:
            raise ValueError(f"With `dataset` of length={total}, `left_size`={left} and "
                             f"`right_size`={right}.Resulting {side} side dataset split "
                             f"will be empty. Adjust any of the aforementioned parameters")
    return int(left), int(right)


def _batch_size_of(dataset):
    """The batch size of a dataset made directly by `.batch()` (as tf_keras's is_batched,
    a batch under a later transformation is not seen), else None."""
    from tapeflow._src.data.transforms import BatchDataset, PaddedBatchDataset
    if isinstance(dataset, (BatchDataset, PaddedBatchDataset)):
        return dataset._n
    return None


def _samples(dataset):
    """The dataset's samples as a list (tuples of arrays for lists/tuples of arrays)."""
    if isinstance(dataset, (list, tuple)):
        kind = "list" if isinstance(dataset, list) else "tuple"
        if len(dataset) == 0:
            sep = " " if kind == "list" else ""
            raise ValueError(f"Received an empty list dataset.{sep}Please provide a non-empty "
                             f"{kind} of arrays.")
        if not isinstance(dataset[0], np.ndarray):
            sep = "," if kind == "list" else ", "  # tf_keras's two messages differ so
            raise ValueError(f"Expected a {kind} of `numpy.ndarray` objects{sep}Received: "
                             f"{type(dataset[0])}")
        for i, element in enumerate(dataset):
            if np.array(element).shape[0] != dataset[0].shape[0]:
                raise ValueError(
                    f"Received a {kind} of NumPy arrays with different lengths. Mismatch found "
                    f"at index {i}, Expected shape={dataset[0].shape} Received "
                    f"shape={np.array(element).shape}.Please provide a {kind} of NumPy arrays "
                    f"with the same length.")
        return list(zip(*dataset))
    if isinstance(dataset, tf.data.Dataset):
        if _batch_size_of(dataset) is not None:
            dataset = dataset.unbatch()
        return list(dataset.as_numpy_iterator())
    return list(dataset)


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None):
    """Splits arrays (or a tuple/list of arrays, or a small Dataset) into two Datasets.

    Sizes are counts (int) or fractions (float); one of them may be None to take the rest.

    >>> left, right = tf.keras.utils.split_dataset(np.arange(10), left_size=0.8)
    >>> int(left.cardinality()), int(right.cardinality())
    (8, 2)
    """
    if not isinstance(dataset, (tf.data.Dataset, list, tuple, np.ndarray)):
        raise TypeError(f"The `dataset` argument must be either a `tf.data.Dataset` object or a "
                        f"list/tuple of arrays. Received: dataset={dataset} of type "
                        f"{type(dataset)}")
    if right_size is None and left_size is None:
        raise ValueError("At least one of the `left_size` or `right_size` must be specified. "
                         "Received: left_size=None and right_size=None")
    samples = _samples(dataset)
    if not samples:
        raise ValueError("Received an empty Dataset. `dataset` must be a non-empty list/tuple "
                         "of `numpy.ndarray` objects or `tf.data.Dataset` objects.")
    if shuffle:
        if seed is None:
            seed = random.randint(0, int(1e6))
        random.seed(seed)
        random.shuffle(samples)
    left, right = _split_sizes(left_size, right_size, len(samples))

    def restore(part):
        if isinstance(dataset, np.ndarray):
            return np.array(part)
        if isinstance(part[0], dict):
            return {k: np.array([d[k] for d in part]) for k in part[0]}
        # As tf_keras, other samples are split into columns: a Dataset of vectors comes
        # back as a Dataset of tuples of scalars.
        return tuple(np.array(column) for column in zip(*part))

    out = []
    for part in (samples[:left], samples[-right:]):
        ds = tf.data.Dataset.from_tensor_slices(restore(part))
        batch_size = _batch_size_of(dataset)
        if batch_size is not None:
            ds = ds.batch(batch_size)
        out.append(ds)
    return tuple(out)
