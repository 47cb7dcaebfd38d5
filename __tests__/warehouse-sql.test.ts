import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SETUP_SQL_DIRECTORY } from '../sql';
import * as features from '../lambda-src/features';
import { FEATURE_NAMES, TABLE_COLUMNS, TABLE_COLUMN_NAMES, TARGET, TIMESTAMP } from '../lambda-src/features';
import { columnDefinitions, placeholderValues } from '../scripts/warehouse/placeholders';
import {
  SqlFile,
  SqlTemplateError,
  fragment,
  identifier,
  integerLiteral,
  loadSetupFiles,
  loadSqlFile,
  parseSqlFile,
  pending,
  pendingReason,
  placeholdersIn,
  render,
  stringLiteral,
} from '../scripts/warehouse/sql-template';
import { WarehouseOutputs } from '../scripts/warehouse/stack-outputs';

const SQL_DIR = SETUP_SQL_DIRECTORY;

const OUTPUTS: WarehouseOutputs = {
  workgroupName: 'loan-remediation-dev',
  workgroupArn: 'arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/0b1c',
  databaseName: 'loans',
  adminSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:redshift!admin-AbCdEf',
  schemaName: 'public',
  tableName: 'loan_remediation',
  modelName: 'predict_model',
  predictionFunction: 'ml_fn_prediction',
  artifactsBucketName: 'loan-remediation-dev-model-artifacts-2026',
  kmsKeyId: '11111111-2222-3333-4444-555555555555',
  datasetUri: 's3://loan-remediation-dev-dataset-2026/dataset/loan_remediation_data.csv',
  modelMaxRuntimeSeconds: 5400,
};
/** Made by each test that needs them (see the note on the column-list tests). */
const values = () => placeholderValues(OUTPUTS, 'loan-remediation-dev-prediction');

/** Every SQL file in sql/, setup steps and status queries. */
function allSqlFiles(directory = SQL_DIR): SqlFile[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(directory, entry.name);
    if (entry.isDirectory()) return allSqlFiles(file);
    return entry.name.endsWith('.sql') ? [loadSqlFile(file)] : [];
  });
}

function renderedStatements(): string[] {
  const known = values();
  return allSqlFiles()
    .flatMap((file) => file.statements.flatMap((s) => [s.unless, s.template].filter((t) => t !== undefined)))
    .map((sql) => render(sql, known));
}

const unquote = (list: string): string[] => list.split(',').map((name) => name.trim().replace(/^"(.*)"$/, '$1'));

// The SQL is rendered inside each test, not while jest collects them: a mutation run credits a test
// only with the code its own body runs (Stryker's ignoreStatic), so a list built at collection would
// leave the generated column lists untested.
describe('column lists in sql/ come from the feature module', () => {
  test('CREATE TABLE defines every column with its SQL type, in the CSV order', () => {
    const statements = renderedStatements();
    const tables = statements.flatMap((sql) => /^CREATE TABLE IF NOT EXISTS \S+ \(\n([\s\S]*)\n\)$/.exec(sql)?.[1] ?? []);
    expect(tables).toHaveLength(1);
    const columns = tables[0].split(',\n').map((line) => {
      const [, name, sqlType] = /^\s*"([a-z_]+)" (.+)$/.exec(line) ?? [];
      return { name, sqlType };
    });
    expect(columns).toEqual(TABLE_COLUMNS.map(({ name, sqlType }) => ({ name, sqlType })));
  });

  test('COPY maps every table column, in the CSV order', () => {
    const statements = renderedStatements();
    const lists = statements.flatMap((sql) => /^COPY \S+ \(([^)]*)\)/.exec(sql)?.[1] ?? []);
    expect(lists).toHaveLength(1);
    expect(unquote(lists[0])).toEqual(TABLE_COLUMN_NAMES);
  });

  test('CREATE MODEL trains on the 14 features and the target, before 2023-01-31, like the original', () => {
    const models = renderedStatements().filter((sql) => sql.startsWith('CREATE MODEL'));
    expect(models).toHaveLength(1);
    const [, selected, whereColumn, target] =
      /SELECT (.*)\n\s*FROM \S+\n\s*WHERE "([a-z_]+)" < '2023-01-31'\n\)\nTARGET "([a-z_]+)"/.exec(models[0]) ?? [];
    expect(unquote(selected)).toEqual([...FEATURE_NAMES, TARGET.name]);
    expect(whereColumn).toBe(TIMESTAMP.name);
    expect(target).toBe(TARGET.name);
    expect(models[0]).toMatch(/FUNCTION "ml_fn_prediction"\nIAM_ROLE default\nSETTINGS \(\n {2}S3_BUCKET '[^']+',\n {2}KMS_KEY_ID '[^']+',\n {2}MAX_RUNTIME 5400\n\)$/);
  });

  test('no SQL file spells a column name itself: every list is generated', () => {
    for (const file of allSqlFiles()) {
      for (const statement of file.statements) {
        const written = `${statement.unless ?? ''}\n${statement.template}`;
        const spelled = TABLE_COLUMN_NAMES.filter((name) => new RegExp(`\\b${name}\\b`).test(written));
        expect({ file: file.name, spelled }).toEqual({ file: file.name, spelled: [] });
      }
    }
  });

  test('every placeholder used in sql/ has a value', () => {
    const used = new Set(
      allSqlFiles().flatMap((file) => file.statements.flatMap((s) => placeholdersIn(`${s.unless ?? ''} ${s.template}`))),
    );
    const known = values();
    expect([...used].filter((name) => !(name in known))).toEqual([]);
  });
});

describe('setup files', () => {
  test('run in numbered order, and every statement that cannot be repeated is guarded or idempotent', () => {
    const files = loadSetupFiles(SQL_DIR);
    expect(files.map((f) => f.name)).toEqual([
      '001_create_table.sql',
      '002_load_dataset.sql',
      '003_create_model.sql',
      '004_grant_lambda_access.sql',
    ]);
    for (const statement of files.flatMap((f) => f.statements)) {
      const repeatable = /^(CREATE (SCHEMA|TABLE) IF NOT EXISTS|GRANT )/.test(statement.template);
      expect({ statement: statement.template, safe: repeatable || statement.unless !== undefined }).toEqual({
        statement: statement.template,
        safe: true,
      });
    }
  });
});

describe('placeholder substitution refuses anything that could change a statement', () => {
  test.each([
    ['a quote', 'loans"; DROP TABLE users; --'],
    ['a space', 'loan remediation'],
    ['a semicolon', 'loans;'],
    ['an uppercase name where lowercase is required', 'Loans'],
  ])('an identifier with %s', (_case, value) => {
    expect(() => identifier(value, /^[a-z_][a-z0-9_]*$/)).toThrow(SqlTemplateError);
  });

  test.each([
    ["a single quote", "s3://bucket/key'; DROP TABLE x; --"],
    ['a backslash', 's3://bucket/key\\'],
    ['whitespace', 's3://bucket/my key.csv'],
  ])('a string value with %s', (_case, value) => {
    expect(() => stringLiteral(value, /^s3:\/\/.+$/)).toThrow(SqlTemplateError);
  });

  test('outputs that do not look like what they claim to be', () => {
    expect(() => placeholderValues({ ...OUTPUTS, datasetUri: 'https://example.com/data.csv' }, undefined)).toThrow(
      SqlTemplateError,
    );
    expect(() => placeholderValues({ ...OUTPUTS, kmsKeyId: 'alias/aws/s3' }, undefined)).toThrow(SqlTemplateError);
    expect(() => placeholderValues(OUTPUTS, 'role name with spaces')).toThrow(SqlTemplateError);
    expect(() => placeholderValues(OUTPUTS, 'x'.repeat(65))).toThrow(SqlTemplateError);
  });

  test('unknown and pending placeholders, wrong filters and stray braces', () => {
    const values = { table: identifier('loans'), uri: stringLiteral('s3://b/k', /^s3:/), list: fragment('"a", "b"') };
    expect(render('SELECT * FROM {{ table }} -- {{table | literal}}', values)).toBe(`SELECT * FROM "loans" -- 'loans'`);
    expect(() => render('SELECT {{nope}}', values)).toThrow('unknown placeholder {{nope}}');
    expect(() => render('SELECT {{uri | literal}}', values)).toThrow('only identifiers take the `literal` filter');
    expect(() => render('SELECT {{table | upper}}', values)).toThrow(SqlTemplateError);
    expect(() => render('SELECT {{ Table }}', values)).toThrow('malformed placeholder');
    expect(() => render('SELECT {{user}}', { user: pending('deploy the api stack') })).toThrow(
      '{{user}} has no value yet: deploy the api stack',
    );
  });
});

describe('SQL file format', () => {
  test('statements end at a line ending with ;, comments are dropped, `-- unless:` guards the next statement', () => {
    const file = parseSqlFile(
      'x.sql',
      `-- Title of the file.
-- more words; with a semicolon
CREATE TABLE a (
  id INT
);

-- unless: SELECT 1 FROM b
-- why the guard
INSERT INTO b VALUES (1);`,
    );
    expect(file).toEqual({
      name: 'x.sql',
      title: 'Title of the file.',
      statements: [{ template: 'CREATE TABLE a (\n  id INT\n)' }, { template: 'INSERT INTO b VALUES (1)', unless: 'SELECT 1 FROM b' }],
    });
  });

  test.each([
    ['a guard inside a statement', 'SELECT\n-- unless: SELECT 1\n1;'],
    ['two guards for one statement', '-- unless: SELECT 1\n-- unless: SELECT 2\nSELECT 3;'],
    ['a guard with no statement after it', 'SELECT 1;\n-- unless: SELECT 2'],
    ['a statement without ;', 'SELECT 1'],
  ])('refuses %s', (_case, text) => {
    expect(() => parseSqlFile('bad.sql', text)).toThrow(SqlTemplateError);
  });

  test('says which file is wrong and how', () => {
    expect(() => parseSqlFile('bad.sql', 'SELECT\n-- unless: SELECT 1\n1;')).toThrow(
      new SqlTemplateError('bad.sql: `-- unless:` must come right before one statement'),
    );
    expect(() => parseSqlFile('bad.sql', 'SELECT 1;\n  SELECT 2  ')).toThrow(new SqlTemplateError('bad.sql: the last statement must end with `;`'));
    expect(() => parseSqlFile('bad.sql', 'SELECT 1;\n-- unless: SELECT 2\n')).toThrow('bad.sql: the last statement must end with `;`');
    expect(() => parseSqlFile('bad.sql', 'SELECT 1')).toThrow(expect.objectContaining({ name: 'SqlTemplateError' }));
  });

  test('Windows line ends, indented comments, blank lines inside a statement, a file with no title comment', () => {
    const file = parseSqlFile('y.sql', '  --Title without a space\r\n\r\n  -- unless:   SELECT 1  \r\nSELECT a,\r\n\r\n  b;  \r\n\r\n\r\n');
    expect(file).toEqual({ name: 'y.sql', title: 'Title without a space', statements: [{ template: 'SELECT a,\n\n  b', unless: 'SELECT 1' }] });
    expect(parseSqlFile('z.sql', 'SELECT 1; ;').statements).toEqual([{ template: 'SELECT 1; ' }]);
    expect(parseSqlFile('z.sql', 'SELECT ";x";\n')).toEqual({ name: 'z.sql', title: 'z.sql', statements: [{ template: 'SELECT ";x"' }] });
  });

  test('setup files are the numbered .sql files of the folder, in order', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'setup-sql-'));
    try {
      for (const name of ['002_b.sql', '001_a.sql', '010_c.sql', 'README.md', '3_short.sql', '004_Upper.sql', '005_x.sql.bak', 'x001_a.sql']) {
        fs.writeFileSync(path.join(folder, name), `-- ${name}\nSELECT 1;\n`);
      }
      expect(loadSetupFiles(folder).map((f) => `${f.name}: ${f.title}`)).toEqual(['001_a.sql: 001_a.sql', '002_b.sql: 002_b.sql', '010_c.sql: 010_c.sql']);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  test('a file waits on the first pending value its statements or guards use', () => {
    const file = parseSqlFile('w.sql', '-- unless: SELECT 1 FROM {{ role }}\nGRANT x TO {{user}};\nSELECT {{table}};');
    expect(pendingReason(file, { table: identifier('t'), role: identifier('r'), user: pending('deploy the api stack') })).toBe('deploy the api stack');
    expect(pendingReason(file, { table: identifier('t'), role: pending('no role yet'), user: pending('deploy the api stack') })).toBe('no role yet');
    expect(pendingReason(file, { table: identifier('t'), role: identifier('r'), user: identifier('u') })).toBeUndefined();
  });

  test('a placeholder with no value at all does not make a file wait: rendering it names it', () => {
    const file = parseSqlFile('n.sql', 'SELECT {{nope}} FROM {{table}};');
    expect(pendingReason(file, { table: identifier('t') })).toBeUndefined();
    expect(() => render(file.statements[0].template, { table: identifier('t') })).toThrow('unknown placeholder {{nope}}');
  });

  test('an unguarded statement has no unless key at all, not one set to undefined', () => {
    const [unguarded, guarded] = parseSqlFile('k.sql', 'SELECT 1;\n-- unless: SELECT 2\nSELECT 3;').statements;
    expect(Object.keys(unguarded)).toEqual(['template']);
    expect(Object.keys(guarded)).toEqual(['template', 'unless']);
  });
});

describe('placeholder values', () => {
  test('the training columns are the features and the target, quoted, comma-separated', () => {
    const { training_columns: columns } = values();
    expect(columns).toEqual(fragment([...FEATURE_NAMES, TARGET.name].map((name) => `"${name}"`).join(', ')));
  });

  test('a column name or SQL type in the feature module that SQL could not take is refused, naming it', () => {
    const column = (name: string, sqlType: string) => [{ name, sqlType }] as unknown as typeof features.TABLE_COLUMNS;
    const replaced = jest.replaceProperty(features, 'TABLE_COLUMNS', column('loan amount', 'INTEGER'));
    try {
      expect(() => columnDefinitions()).toThrow(new Error('unexpected column name loan amount in lambda-src/features.ts'));
      replaced.replaceValue(column('amount', 'INTEGER; DROP TABLE x'));
      expect(() => columnDefinitions()).toThrow(new Error('unexpected SQL type INTEGER; DROP TABLE x in lambda-src/features.ts'));
      replaced.replaceValue(column('amount', 'DECIMAL(10,2)'));
      expect(columnDefinitions()).toBe('  "amount" DECIMAL(10,2)');
    } finally {
      replaced.restore();
    }
  });

  test('numbers: non-negative safe integers only, and the error says why', () => {
    expect(integerLiteral(0)).toEqual({ kind: 'number', value: 0 });
    expect(integerLiteral(5400)).toEqual({ kind: 'number', value: 5400 });
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) {
      expect(() => integerLiteral(bad)).toThrow(new SqlTemplateError(`refusing number ${JSON.stringify(bad)}: expected a non-negative integer`));
    }
  });

  test('string values and identifiers: the refusal names the value and the expected pattern', () => {
    expect(() => stringLiteral('https://x', /^s3:\/\/.+$/)).toThrow(new SqlTemplateError('refusing string value "https://x": expected /^s3:\\/\\/.+$/'));
    expect(() => identifier('Loans', /^[a-z]+$/)).toThrow(new SqlTemplateError('refusing identifier "Loans": expected /^[a-z]+$/'));
    expect(() => identifier('x'.repeat(128))).toThrow(SqlTemplateError);
    expect(identifier('IAMR:loan-remediation-dev-prediction')).toEqual({ kind: 'identifier', value: 'IAMR:loan-remediation-dev-prediction' });
  });
});

/**
 * The system views the warehouse SQL may read: each is documented as available on Redshift
 * Serverless. STL, STV, SVCS and SVL tables are "System monitoring (provisioned only)" in the Amazon
 * Redshift Database Developer Guide, so a guard reading one (stv_ml_model_info did) fails on Serverless.
 */
const SERVERLESS_SYSTEM_VIEWS: Record<string, string> = {
  // "SVV_ML_MODEL_INFO": state of each model, with database_name (the SVV twin of STV_ML_MODEL_INFO).
  svv_ml_model_info: 'https://docs.aws.amazon.com/redshift/latest/dg/r_SVV_ML_MODEL_INFO.html',
  // "SVV_ROLES": the database roles.
  svv_roles: 'https://docs.aws.amazon.com/redshift/latest/dg/r_SVV_ROLES.html',
  // "SVV_USER_INFO": the database users, visible to superusers (the admin the setup runs as).
  svv_user_info: 'https://docs.aws.amazon.com/redshift/latest/dg/r_SVV_USER_INFO.html',
};
const PROVISIONED_ONLY_PREFIXES = /^(stl|stv|svcs|svl)_/;

describe('the warehouse SQL reads only system views that Redshift Serverless documents', () => {
  const systemRelations = (sql: string): string[] =>
    [...sql.matchAll(/\b(?:FROM|JOIN)\s+(?:pg_catalog\.)?((?:stl|stv|svcs|svl|svv|sys|pg)_[a-z0-9_]+)/gi)].map((m) =>
      m[1].toLowerCase(),
    );

  test('every system relation a statement or guard reads is in the documented list', () => {
    const used = [...new Set(renderedStatements().flatMap(systemRelations))].sort();
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((name) => !(name in SERVERLESS_SYSTEM_VIEWS))).toEqual([]);
    expect(used.filter((name) => PROVISIONED_ONLY_PREFIXES.test(name))).toEqual([]);
  });

  test('the check sees a provisioned-only table in a guard', () => {
    expect(systemRelations('SELECT TRIM(model_state) FROM stv_ml_model_info WHERE 1 = 1')).toEqual(['stv_ml_model_info']);
    expect(systemRelations('SELECT usename FROM pg_user')).toEqual(['pg_user']);
  });
});
