"""tf.io implementation pieces: TFRecord files, CRC-32C, tf.train.Example and its parsing."""
