"""The use cases that tools, the board and the command line share: the only place that combines the domain with the stores."""
