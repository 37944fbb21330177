"""Demo trainings: one module per demo, each defining ``DEMO``. Register a new module by adding it here."""

from demos.trainings import (
    activation_gradients,
    batch_size,
    cnn_vs_mlp,
    conv_arithmetic,
    gradient_checking,
    imbalanced_data,
    l1_vs_l2,
    learning_rate_schedules,
    non_max_suppression,
    normalization,
    optimizers,
    regularization,
    residual_depth,
    rnn_long_dependency,
    weight_initialization,
)

MODULES = (
    activation_gradients,
    weight_initialization,
    gradient_checking,
    optimizers,
    learning_rate_schedules,
    batch_size,
    normalization,
    regularization,
    l1_vs_l2,
    cnn_vs_mlp,
    conv_arithmetic,
    rnn_long_dependency,
    residual_depth,
    non_max_suppression,
    imbalanced_data,
)
