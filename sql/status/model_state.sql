-- Whether the model exists: one row with its state text, or no row.
SELECT TRIM(model_state) AS model_state
FROM svv_ml_model_info
WHERE TRIM(database_name) = CURRENT_DATABASE() AND TRIM(schema_name) = {{schema | literal}} AND TRIM(model_name) = {{model | literal}};
