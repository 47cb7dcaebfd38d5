-- The model's state (TRAINING, READY or FAILED), the failure reason, the validation metrics,
-- the estimated training cost and its settings, as Key/Value rows.
SHOW MODEL {{schema}}.{{model}};
