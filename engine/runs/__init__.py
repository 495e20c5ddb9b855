"""Run folders: the lock, atomic --force, journal repair, resume and writability."""
