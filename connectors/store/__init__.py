"""The SQL store: the pipeline's backbone. Stages communicate through it, so any stage can rerun."""
