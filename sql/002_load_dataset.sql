-- Load the dataset CSV from S3 into the table, once.
-- Redshift has no IF in plain SQL: the runner runs the `unless` query first and skips the COPY when
-- it returns a row, that is when the table already holds data. COPY is a single transaction, so a
-- failed load leaves the table empty and the next run tries again.
-- The column list is generated from lambda-src/features.ts. ROUNDEC rounds decimals that carry more
-- digits than the column's scale instead of truncating them (COPY's default).

-- unless: SELECT COUNT(*) AS rows_already_loaded FROM {{schema}}.{{table}} HAVING COUNT(*) > 0
COPY {{schema}}.{{table}} ({{columns}})
FROM {{dataset_uri}}
IAM_ROLE default
FORMAT AS CSV
IGNOREHEADER 1
DATEFORMAT 'YYYY-MM-DD'
ROUNDEC;
