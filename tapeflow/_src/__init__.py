"""Private implementation of tapeflow. Import from the public namespaces instead."""
