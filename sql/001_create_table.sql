-- Create the table of historical loan-remediation outcomes.
-- Its columns and SQL types, in the CSV's order, are generated from lambda-src/features.ts
-- (placeholder column_definitions), so the table, the COPY and the model can never disagree.
-- Safe to re-run: both statements do nothing when the object exists.

CREATE SCHEMA IF NOT EXISTS {{schema}};

CREATE TABLE IF NOT EXISTS {{schema}}.{{table}} (
{{column_definitions}}
);
