"""`tf.data.experimental` functions: transformation factories for `Dataset.apply`."""

from __future__ import annotations

from tapeflow._src.data.dataset import Dataset
from tapeflow._src.data.nested import _bucket_by_sequence_length
from tapeflow._src.framework.errors import FailedPreconditionError


def cardinality(dataset):
    """`dataset.cardinality()`."""
    return dataset.cardinality()


def assert_cardinality(expected_cardinality):
    """A transformation declaring (and checking while iterating) the dataset's size."""
    n = int(expected_cardinality)

    def apply(dataset):
        return _AssertCardinalityDataset(dataset, n)
    return apply


class _AssertCardinalityDataset(Dataset):
    _name = "_AssertCardinalityDataset"

    def __init__(self, input_dataset, n):
        self._input = input_dataset
        self._inputs = (input_dataset,)
        self._n = n

    def _card(self):
        return self._n

    def _compute_spec(self):
        return self._input.element_spec

    def _make_iterator(self):
        count = 0
        for elem in self._input._make_iterator():
            count += 1
            if self._n >= 0 and count > self._n:
                raise FailedPreconditionError(
                    None, None, f"Input dataset was expected to contain {self._n} elements "
                    f"but contained at least {count} elements.")
            yield elem
        if self._n >= 0 and count < self._n:
            raise FailedPreconditionError(
                None, None, f"Input dataset was expected to contain {self._n} elements but "
                f"contained only {count} elements.")


def bucket_by_sequence_length(element_length_func, bucket_boundaries, bucket_batch_sizes,
                              padded_shapes=None, padding_values=None,
                              pad_to_bucket_boundary=False, no_padding=False,
                              drop_remainder=False):
    return _bucket_by_sequence_length(element_length_func, bucket_boundaries,
                                      bucket_batch_sizes, padded_shapes, padding_values,
                                      pad_to_bucket_boundary, no_padding, drop_remainder)


def group_by_window(key_func, reduce_func, window_size=None, window_size_func=None):
    return lambda ds: ds.group_by_window(key_func, reduce_func, window_size, window_size_func)


def ignore_errors(log_warning=False):
    return lambda ds: ds.ignore_errors(log_warning)


def rebatch(batch_size, drop_remainder=False):
    return lambda ds: ds.rebatch(batch_size, drop_remainder)


def scan(initial_state, scan_func):
    return lambda ds: ds.scan(initial_state, scan_func)


def take_while(predicate):
    return lambda ds: ds.take_while(predicate)


def unbatch():
    return lambda ds: ds.unbatch()


def enumerate_dataset(start=0):
    return lambda ds: ds.enumerate(start)


def shuffle_and_repeat(buffer_size, count=None, seed=None):
    return lambda ds: ds.shuffle(buffer_size, seed).repeat(count)


def get_single_element(dataset):
    return dataset.get_single_element()


def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False):
    return Dataset.sample_from_datasets(datasets, weights, seed, stop_on_empty_dataset)


def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True):
    return Dataset.choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset)


def dense_to_ragged_batch(batch_size, drop_remainder=False, row_splits_dtype=None):
    raise NotImplementedError("tf.data.experimental.dense_to_ragged_batch needs RaggedTensor, "
                              "which tapeflow does not implement.")

