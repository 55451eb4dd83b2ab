"""Great Expectations suites, kept as JSON files in this folder, and the code that runs them.

The data-quality gates are built on this package (see the README's roadmap); the backbone's own
record-level checks (ids, cursors, encodings, sizes) live in the file reader and quarantine.
"""
