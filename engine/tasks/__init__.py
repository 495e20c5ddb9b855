"""Tasks: what differs between binary classification and ranking runs."""
