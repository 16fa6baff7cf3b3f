"""RaggedTensor, RaggedTensorSpec and the tf.ragged functions."""
