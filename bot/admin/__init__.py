"""Sub-commands of ``clc-admin``, one module per feature."""
