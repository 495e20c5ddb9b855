"""The search: spaces, strategies (each an Optuna sampler), the objective, the study."""
