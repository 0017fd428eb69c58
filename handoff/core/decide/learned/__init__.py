"""The learned intent layer: features, the model and its scoring (pure), and training (scikit-learn)."""
