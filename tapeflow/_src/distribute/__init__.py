"""tf.distribute implementation: strategies (strategy.py) and MPI collectives (collective.py)."""
