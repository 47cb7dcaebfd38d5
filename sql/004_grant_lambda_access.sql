-- Let the prediction Lambda call the model, and nothing else.
-- The Lambda calls the Data API with its IAM role, which Redshift maps to the database user
-- "IAMR:<role name>". Creating that user ahead of the first call (no password: it can only log in
-- through IAM) means the first prediction already works.
-- The database role prediction_api holds exactly what a prediction needs: USAGE on the schema,
-- SELECT on the table (an ML function must read a user table) and EXECUTE on the model (its
-- prediction function and the _probabilities function). GRANT is idempotent; CREATE is guarded.

-- unless: SELECT role_name FROM svv_roles WHERE role_name = 'prediction_api'
CREATE ROLE prediction_api;

GRANT USAGE ON SCHEMA {{schema}} TO ROLE prediction_api;

GRANT SELECT ON TABLE {{schema}}.{{table}} TO ROLE prediction_api;

GRANT EXECUTE ON MODEL {{schema}}.{{model}} TO ROLE prediction_api;

-- A user name in double quotes keeps its case whatever enable_case_sensitive_identifier says, and
-- Redshift creates the same "IAMR:<role>" user by itself on the Lambda's first call: compare exactly.
-- unless: SELECT user_name FROM svv_user_info WHERE user_name = {{lambda_user | literal}}
CREATE USER {{lambda_user}} PASSWORD DISABLE;

GRANT ROLE prediction_api TO {{lambda_user}};
