-- Train the model with Redshift ML, on the original sample's columns and training window.
-- Inputs are the 14 features plus the target, generated from lambda-src/features.ts; rows recorded
-- before the training cutoff (TRAINING_CUTOFF in features.ts, 2023-01-31 as in the original) train
-- the model, later rows stay unseen for checking it.
-- CREATE MODEL returns once the training data is exported to the artifacts bucket; SageMaker
-- Autopilot then trains for up to MAX_RUNTIME seconds (follow it with npm run model:status -- --wait).
-- Skipped when the model exists, whatever its state: a FAILED model must be dropped first
-- (npm run model:status prints the DROP MODEL to run).

-- unless: SELECT TRIM(model_state) AS model_state FROM svv_ml_model_info WHERE TRIM(database_name) = CURRENT_DATABASE() AND TRIM(schema_name) = {{schema | literal}} AND TRIM(model_name) = {{model | literal}}
CREATE MODEL {{schema}}.{{model}}
FROM (
  SELECT {{training_columns}}
  FROM {{schema}}.{{table}}
  WHERE {{timestamp_column}} < {{training_cutoff}}
)
TARGET {{target_column}}
FUNCTION {{function}}
IAM_ROLE default
SETTINGS (
  S3_BUCKET {{artifacts_bucket}},
  KMS_KEY_ID {{kms_key_id}},
  MAX_RUNTIME {{max_runtime_seconds}}
);
