/**
 * The values of the `sql/` placeholders: names from the deployed `redshift` stack, the Lambda's
 * database user from the `api` stack, and every column list generated from the feature module.
 */
import { FEATURES, TABLE_COLUMNS, TARGET, TIMESTAMP, TRAINING_CUTOFF } from '../../lambda-src/features';
import { SQL_IDENTIFIER } from '../../lambda-src/sql';
import {
  Placeholders,
  fragment,
  identifier,
  integerLiteral,
  pending,
  quoteIdentifier,
  stringLiteral,
} from './sql-template';
import { LAMBDA_ROLE_OUTPUT, WarehouseOutputs } from './stack-outputs';

const SQL_TYPE = /^[A-Z]+(\(\d+(,\d+)?\))?$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const S3_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/[A-Za-z0-9_./-]+$/;
const KMS_KEY_ID = /^(mrk-)?[a-f0-9-]{32,36}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const QUALIFIED_NAME = /^[a-z_][a-z0-9_]{0,62}\.[a-z_][a-z0-9_]{0,62}$/;
/** `IAMR:` and an IAM role name (up to 64 letters, digits and +=,.@_-). */
const IAMR_USER = /^IAMR:[\w+=,.@-]{1,64}$/;

function columnName(name: string): string {
  if (!SQL_IDENTIFIER.test(name)) throw new Error(`unexpected column name ${name} in lambda-src/features.ts`);
  return quoteIdentifier(name);
}

function sqlType(type: string): string {
  if (!SQL_TYPE.test(type)) throw new Error(`unexpected SQL type ${type} in lambda-src/features.ts`);
  return type;
}

/** `"name" TYPE` for every table column, one per line, in the CSV's order. */
export const columnDefinitions = (): string =>
  TABLE_COLUMNS.map((column) => `  ${columnName(column.name)} ${sqlType(column.sqlType)}`).join(',\n');

/** Every table column, in the CSV's order (what COPY maps the file onto). */
export const tableColumnList = (): string => TABLE_COLUMNS.map((column) => columnName(column.name)).join(', ');

/** The model's inputs and its target, as the original sample's CREATE MODEL selected them. */
export const trainingColumnList = (): string => [...FEATURES, TARGET].map((column) => columnName(column.name)).join(', ');

/** The database user Redshift maps the Lambda's IAM role to when it calls the Data API. */
export const lambdaDatabaseUser = (roleName: string): string => `IAMR:${roleName}`;

export function placeholderValues(outputs: WarehouseOutputs, lambdaRoleName: string | undefined): Placeholders {
  return {
    schema: identifier(outputs.schemaName, SQL_IDENTIFIER),
    table: identifier(outputs.tableName, SQL_IDENTIFIER),
    model: identifier(outputs.modelName, SQL_IDENTIFIER),
    function: identifier(outputs.predictionFunction, SQL_IDENTIFIER),
    model_reference: stringLiteral(`${outputs.schemaName}.${outputs.modelName}`, QUALIFIED_NAME),
    target_column: identifier(TARGET.name, SQL_IDENTIFIER),
    timestamp_column: identifier(TIMESTAMP.name, SQL_IDENTIFIER),
    training_cutoff: stringLiteral(TRAINING_CUTOFF, ISO_DATE),
    column_definitions: fragment(columnDefinitions()),
    columns: fragment(tableColumnList()),
    training_columns: fragment(trainingColumnList()),
    dataset_uri: stringLiteral(outputs.datasetUri, S3_URI),
    artifacts_bucket: stringLiteral(outputs.artifactsBucketName, BUCKET_NAME),
    kms_key_id: stringLiteral(outputs.kmsKeyId, KMS_KEY_ID),
    max_runtime_seconds: integerLiteral(outputs.modelMaxRuntimeSeconds),
    lambda_user:
      lambdaRoleName === undefined
        ? pending(`waiting for the api stack's output ${LAMBDA_ROLE_OUTPUT}: deploy it (npx cdktf deploy api), then re-run npm run warehouse:setup`)
        : identifier(lambdaDatabaseUser(lambdaRoleName), IAMR_USER),
  };
}
