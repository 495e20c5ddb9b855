"""A table's column roles, the generic data checks, group ids and the hold-out/CV split."""
